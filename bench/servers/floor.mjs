// (h) The floor: a bare node:http server. It keeps a Set of responses per query string and writes
// one pre-built frame to each; no auth, no per-connection visibility check, no Redis.
import { HEARTBEAT_MS, benchRoutes, eventKeys, listen, scopeKey, viewerFromQuery } from "./common.mjs";

/** @type {Map<string, Set<import("node:http").ServerResponse>>} */
const sets = new Map();
const HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" };
const PING = ": ping\n\n";

setInterval(() => {
  for (const set of sets.values()) for (const res of set) res.write(PING);
}, HEARTBEAT_MS);

await listen((req, res) => {
  if (benchRoutes(req, res, publish)) return;
  const viewer = viewerFromQuery(new URL(req.url ?? "/", "http://x"));
  if (!viewer) return void res.writeHead(401).end();
  const key = scopeKey(viewer);
  let set = sets.get(key);
  if (!set) sets.set(key, (set = new Set()));
  res.writeHead(200, HEADERS);
  res.write("retry: 2000\n\n");
  set.add(res);
  const s = set;
  res.on("close", () => s.delete(res));
});

/** @param {any[]} events */
function publish(events) {
  for (const event of events) {
    const frame = `event: booking\nid: ${event.data.seq}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const key of eventKeys(event)) {
      const set = sets.get(key);
      if (set) for (const res of set) res.write(frame);
    }
  }
}
