import type { Viewer } from "@realtime-bookings/server";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The browser SDK's `<script>` bundle (`@realtime-bookings/client`), served at `/realtime-bookings.js`. */
export const SDK_BUNDLE = join(dirname(createRequire(import.meta.url).resolve("@realtime-bookings/client/package.json")), "dist", "realtime-bookings.global.js");

const who = (v: Viewer): string =>
  v.role === "admin" ? "the admin (every booking)" : v.role === "supervisor" ? `the supervisor of workpoint ${v.workpoint_id}` : `specialist ${v.specialist_id}`;

/**
 * The example's one page: a sign-in form, or the status button and a log of the changes this viewer
 * receives, with a form that publishes a booking change.
 */
export function page(framework: string, viewer: Viewer | null): string {
  const head = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>realtime-bookings on ${framework}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem}li{font-family:ui-monospace,monospace;font-size:13px}</style></head><body>
<h1>realtime-bookings on ${framework}</h1>`;
  if (!viewer) {
    return `${head}<form method="post" action="/login"><label>Sign in as <select name="as">
<option value="admin">admin</option><option value="supervisor:1">supervisor of workpoint 1</option><option value="supervisor:2">supervisor of workpoint 2</option>
<option value="specialist:3">specialist 3 (workpoint 1)</option><option value="specialist:4">specialist 4 (workpoint 2)</option></select></label>
<button>Sign in</button></form><p>Open a second browser as someone else to see who gets which change.</p></body></html>`;
  }
  return `${head}<p>Signed in as ${who(viewer)}. <button id="status" type="button">Connecting…</button></p>
<form id="publish"><fieldset><legend>Publish a booking change (what your app does after it writes to its database; only changes you may make are accepted)</legend>
<label>type <select name="type"><option>create</option><option>update</option><option>delete</option></select></label>
<label>booking <input name="id" value="42" size="4"></label>
<label>specialist <input name="specialist_id" value="${viewer.role === "specialist" ? viewer.specialist_id : 3}" size="3"></label>
<label>workpoint <input name="workpoint_id" value="${viewer.role === "supervisor" ? viewer.workpoint_id : 1}" size="3"></label>
<button>Publish</button></fieldset></form>
<h2>Changes this viewer received</h2><ol id="log"></ol>
<script src="/realtime-bookings.js"></script>
<script>
const log = (text) => {
  const li = document.createElement("li");
  li.textContent = new Date().toLocaleTimeString() + "  " + text;
  document.getElementById("log").prepend(li);
};
const realtime = new RealtimeBookings({ streamUrl: "/events", versionUrl: "/version", onRefresh: (info) => log("refresh (" + info.reasons.join(", ") + "): your page would reload its bookings here") });
realtime.on("change", (c) => log(c.type + " " + JSON.stringify(c.data)));
RealtimeBookings.mountStatusButton(realtime, document.getElementById("status"));
document.getElementById("publish").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = Object.fromEntries(new FormData(e.target));
  const res = await fetch("/bookings", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ type: f.type, data: { id: Number(f.id), specialist_id: Number(f.specialist_id), workpoint_id: Number(f.workpoint_id) } }) });
  if (!res.ok) log("publish refused: " + (await res.text()));
});
</script></body></html>`;
}
