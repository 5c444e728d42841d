import type { SseReader } from "@realtime-bookings/test-utils";
import { sleep } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runBook } from "../src/cli/book-command.js";
import { publishToken } from "../src/db/open.js";
import { type Agent, type TestApp, bookingForm, startTestApp } from "./support/app.js";

let t: TestApp;
const readers: SseReader[] = [];
beforeAll(async () => {
  t = await startTestApp();
});
afterEach(() => {
  for (const r of readers.splice(0)) r.close();
});
afterAll(() => t.close());

async function stream(agent: Agent): Promise<SseReader> {
  const reader = await agent.stream();
  readers.push(reader);
  return reader;
}

const bookingEvents = (r: SseReader): Array<{ type: string; data: Record<string, unknown>; previous?: unknown }> =>
  r.events.filter((e) => e.event === "booking").map((e) => JSON.parse(e.data) as { type: string; data: Record<string, unknown> });

describe("without a session", () => {
  it("sends pages to sign-in and refuses the view, the stream and the version", async () => {
    const page = await fetch(`${t.url}/`, { redirect: "manual" });
    expect([page.status, page.headers.get("location")]).toEqual([303, "/login"]);
    for (const path of ["/bookings", "/api/bookings/events", "/api/bookings/version", "/bookings/1"]) {
      expect([path, (await fetch(`${t.url}${path}`)).status]).toEqual([path, 401]);
    }
  });

  it("lists every demo user on the sign-in page", async () => {
    const page = await (await fetch(`${t.url}/login`)).text();
    const logins = [...page.matchAll(/data-login="([^"]+)"/g)].map((m) => m[1]);
    expect(logins).toEqual(["admin", "supervisor-1", "supervisor-2", "specialist-1", "specialist-2", "specialist-3", "specialist-4", "specialist-5", "specialist-6"]);
  });
});

describe("sign-in", () => {
  it("sets an HttpOnly, SameSite=Lax session cookie, and the stream and version accept it", async () => {
    const response = await fetch(`${t.url}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: t.url },
      body: "login=specialist-1",
    });
    expect(response.status).toBe(303);
    expect(response.headers.get("set-cookie")).toMatch(/^rb_demo_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    const agent = await t.signIn("specialist-1");
    const reader = await stream(agent);
    expect([reader.status, reader.headers["content-type"]]).toEqual([200, "text/event-stream; charset=utf-8"]);
    const version = await agent.get("/api/bookings/version");
    expect([version.status, Object.keys((await version.json()) as object)]).toEqual([200, ["version"]]);
  });

  it("refuses a sign-in posted from another site, and an unknown user", async () => {
    const post = (origin: string, login: string): Promise<Response> =>
      fetch(`${t.url}/login`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: origin }, body: `login=${login}` });
    expect((await post("http://evil.example", "admin")).status).toBe(403);
    expect((await post(t.url, "nobody")).status).toBe(400);
  });

  it("serves the page with a strict CSP and the SDK's script bundle", async () => {
    const agent = await t.signIn("admin");
    const page = await agent.get("/");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script src="/assets/realtime-bookings.js"></script>');
    expect(html).toContain('<button type="button" id="rb-status" class="rb-status">');
    const sdk = await fetch(`${t.url}/assets/realtime-bookings.js`);
    expect([sdk.status, sdk.headers.get("content-type")]).toEqual([200, "text/javascript; charset=utf-8"]);
    expect(await sdk.text()).toContain("RealtimeBookings");
  });

  it("ends the session's streams on sign-out, and the cookie stops working", async () => {
    const agent = await t.signIn("supervisor-2");
    const reader = await stream(agent);
    const out = await fetch(`${t.url}/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { Cookie: agent.cookie, Origin: t.url, "Content-Type": "application/x-www-form-urlencoded" },
      body: `_csrf=${agent.csrf}`,
    });
    expect([out.status, out.headers.get("location")]).toEqual([303, "/login"]);
    await Promise.race([reader.ended, sleep(2000).then(() => Promise.reject(new Error("the stream outlived the session")))]);
    expect((await agent.get("/api/bookings/version")).status).toBe(401);
  });
});

describe("writes", () => {
  it("need the session, this site's origin and the CSRF token", async () => {
    const agent = await t.signIn("specialist-1");
    const body = bookingForm({ date: "2030-02-04" });
    expect((await agent.post("/bookings", body, { "X-CSRF-Token": "wrong" })).status).toBe(403);
    expect((await agent.post("/bookings", body, { Origin: "http://evil.example" })).status).toBe(403);
    expect((await agent.post("/bookings", body, { Cookie: "" })).status).toBe(401);
    expect((await agent.post("/bookings", body)).status).toBe(201);
  });

  it("answer 422 naming the invalid fields, and 409 for an overlap or a stale form", async () => {
    const agent = await t.signIn("admin");
    const invalid = await agent.post("/bookings", bookingForm({ client_full_name: "", end_time: "18:00" }));
    expect(invalid.status).toBe(422);
    expect(Object.keys(((await invalid.json()) as { fields: object }).fields).sort()).toEqual(["client_full_name", "end_time"]);

    const first = (await (await agent.post("/bookings", bookingForm({ date: "2030-02-05" }))).json()) as { booking: { id: number; revision: number } };
    const overlap = await agent.post("/bookings", bookingForm({ date: "2030-02-05", start_time: "19:15", end_time: "19:45" }));
    expect([overlap.status, ((await overlap.json()) as { error: string }).error]).toEqual([409, "conflict"]);

    expect((await agent.post(`/bookings/${first.booking.id}`, bookingForm({ date: "2030-02-05", client_full_name: "Renamed", revision: 1 }))).status).toBe(200);
    const stale = await agent.post(`/bookings/${first.booking.id}`, bookingForm({ date: "2030-02-05", revision: 1 }));
    expect([stale.status, ((await stale.json()) as { error: string }).error]).toEqual([409, "stale"]);
  });

  it("stay inside the user's scope", async () => {
    const specialist = await t.signIn("specialist-1");
    const supervisor = await t.signIn("supervisor-1");
    const admin = await t.signIn("admin");
    expect((await specialist.post("/bookings", bookingForm({ id_specialist: 2, date: "2030-02-06" }))).status).toBe(403);
    expect((await supervisor.post("/bookings", bookingForm({ id_work_place: 2, id_specialist: 4, date: "2030-02-06" }))).status).toBe(403);
    const other = (await (await admin.post("/bookings", bookingForm({ id_work_place: 2, id_specialist: 4, date: "2030-02-06" }))).json()) as { booking: { id: number } };
    expect((await specialist.get(`/bookings/${other.booking.id}`)).status).toBe(404);
    expect((await supervisor.post(`/bookings/${other.booking.id}`, bookingForm({ date: "2030-02-06" }))).status).toBe(404);
    expect((await supervisor.post(`/bookings/${other.booking.id}/cancel`, {})).status).toBe(404);
    expect((await admin.get(`/bookings/${other.booking.id}`)).status).toBe(200);
  });

  it("escape whatever the user typed when the view renders it", async () => {
    const agent = await t.signIn("supervisor-1");
    const hostile = `<img src=x onerror="alert(1)">&'`;
    expect((await agent.post("/bookings", bookingForm({ client_full_name: hostile, date: "2030-02-07" }))).status).toBe(201);
    const view = await (await agent.get("/bookings?view=day&date=2030-02-07")).text();
    expect(view).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
    expect(view).not.toContain("<img");
  });
});

describe("delivery", () => {
  it("reaches exactly the browsers allowed to see each change: create, move, cancel", async () => {
    const [spec1, spec4, sup1, sup2, admin] = await Promise.all(["specialist-1", "specialist-4", "supervisor-1", "supervisor-2", "admin"].map((l) => t.signIn(l)));
    const streams = await Promise.all([spec1, spec4, sup1, sup2, admin].map((a) => stream(a as Agent)));
    const [s1, s4, w1, w2, all] = streams as [SseReader, SseReader, SseReader, SseReader, SseReader];
    const versionOf = async (a: Agent): Promise<number> => ((await (await a.get("/api/bookings/version")).json()) as { version: number }).version;
    const w2Before = await versionOf(sup2 as Agent);

    const created = await (spec1 as Agent).post("/bookings", bookingForm({ date: "2030-03-04" }));
    expect(created.status).toBe(201);
    const { booking, published } = (await created.json()) as { booking: { id: number }; published: boolean };
    expect(published).toBe(true);
    await Promise.all([s1.waitForEvents(1, 2000), w1.waitForEvents(1, 2000), all.waitForEvents(1, 2000)]);

    // Only the admin may move a booking to another workpoint (a supervisor may not: see scope.test.ts).
    const moved = await (admin as Agent).post(`/bookings/${booking.id}`, bookingForm({ date: "2030-03-04", id_work_place: 2, revision: 1 }));
    expect(moved.status).toBe(200);
    await Promise.all([s1.waitForEvents(2, 2000), w1.waitForEvents(2, 2000), w2.waitForEvents(1, 2000), all.waitForEvents(2, 2000)]);

    expect((await (sup2 as Agent).post(`/bookings/${booking.id}/cancel`, { revision: 2 })).status).toBe(200);
    await Promise.all([s1.waitForEvents(3, 2000), w2.waitForEvents(2, 2000), all.waitForEvents(3, 2000)]);
    await sleep(200);

    expect(bookingEvents(s1).map((e) => e.type)).toEqual(["create", "update", "delete"]);
    expect(bookingEvents(w1).map((e) => e.type)).toEqual(["create", "update"]);
    expect(bookingEvents(w1)[1]).toMatchObject({ data: { id: booking.id, workpoint_id: 2 }, previous: { workpoint_id: 1 } });
    expect(bookingEvents(w2).map((e) => e.type)).toEqual(["update", "delete"]);
    expect(bookingEvents(all).map((e) => e.type)).toEqual(["create", "update", "delete"]);
    expect(bookingEvents(s4)).toEqual([]);
    expect(JSON.stringify(bookingEvents(all))).not.toContain("Test Client");
    expect(await versionOf(sup2 as Agent)).toBe(w2Before + 2);
  });
});

describe("no echo", () => {
  it("a write that names its tab (X-Realtime-Client) publishes the change with that origin; one without, with none", async () => {
    const admin = await t.signIn("admin");
    const reader = await stream(admin);
    expect((await admin.post("/bookings", bookingForm({ date: "2030-04-01" }), { "X-Realtime-Client": "tab-7f3a" })).status).toBe(201);
    expect((await admin.post("/bookings", bookingForm({ date: "2030-04-02" }), { "X-Realtime-Client": "bad id with spaces" })).status).toBe(201);
    await reader.waitForEvents(2, 2000);
    expect(bookingEvents(reader).map((e) => (e as { origin?: string }).origin)).toEqual(["tab-7f3a", undefined]);
  });
});

describe("the local publish route (npm run book)", () => {
  it("publishes with the database's secret, and refuses without it", async () => {
    const admin = await t.signIn("admin");
    const reader = await stream(admin);
    const post = (auth: string, body: unknown): Promise<Response> =>
      fetch(`${t.url}/internal/publish`, { method: "POST", headers: { Authorization: auth, "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const event = { type: "create", data: { id: 999, specialist_id: 1, workpoint_id: 1 } };
    expect((await post("Bearer nope", event)).status).toBe(401);
    const token = publishToken(t.app.db);
    expect((await post(`Bearer ${token}`, { type: "create", data: { id: 1 } })).status).toBe(400);
    expect((await post(`Bearer ${token}`, event)).status).toBe(202);
    const [received] = await reader.waitForEvents(1, 2000);
    expect(JSON.parse(received?.data ?? "{}")).toEqual(event);
  });

  it("does not expose the test hooks unless DEMO_TEST_HOOKS is set", async () => {
    const response = await fetch(`${t.url}/__demo/streams`, { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"mode":"refuse"}' });
    expect(response.status).toBe(404);
  });
});

describe("npm run book", () => {
  const capture = (): { lines: string[]; out: { log: (l: string) => void; error: (l: string) => void } } => {
    const lines: string[] = [];
    return { lines, out: { log: (l) => lines.push(l), error: (l) => lines.push(`! ${l}`) } };
  };

  it("writes the booking and publishes it through the running demo", async () => {
    const reader = await stream(await t.signIn("supervisor-2"));
    const { lines, out } = capture();
    const code = await runBook(["--specialist", "5", "--date", "2030-05-06", "--start", "10:00", "--minutes", "45", "--url", t.url], { DATABASE_PATH: t.databasePath }, out);
    expect([code, lines[0]]).toEqual([0, expect.stringMatching(/^created #\d+ 2030-05-06 10:00–10:45 Test booking for Test Client, Tom Keller at Riverside Clinic$/)]);
    const [event] = await reader.waitForEvents(1, 2000);
    expect(JSON.parse(event?.data ?? "{}")).toMatchObject({ type: "create", data: { specialist_id: 5, workpoint_id: 2, booking_start_datetime: "2030-05-06 10:00:00" } });
  });

  it("takes the specialist's next free slot, refuses an overlap, and says so when no demo is running", async () => {
    const { lines, out } = capture();
    const env = { DATABASE_PATH: t.databasePath };
    expect(await runBook(["--specialist", "5", "--date", "2030-05-06", "--url", t.url], env, out)).toBe(0);
    expect(lines[0]).toMatch(/created #\d+ 2030-05-06 06:00–06:30/);
    expect(await runBook(["--specialist", "5", "--date", "2030-05-06", "--start", "10:15", "--url", t.url], env, out)).toBe(1);
    expect(lines.at(-1)).toMatch(/^! refused: overlaps #\d+ 2030-05-06 10:00–10:45/);
    expect(await runBook(["--specialist", "5", "--date", "2030-05-07", "--url", "http://127.0.0.1:9"], env, out)).toBe(3);
    expect(lines.at(-1)).toMatch(/^! saved, but no demo answered at http:\/\/127.0.0.1:9/);
    expect(await runBook(["--specialist", "99"], env, out)).toBe(1);
  });
});

describe("the demo's test hook", () => {
  it("refuses SSE (ending open streams) while the version endpoint answers, then accepts it again", async () => {
    const hooked = await startTestApp({ DEMO_TEST_HOOKS: "1" });
    try {
      const agent = await hooked.signIn("specialist-1");
      const open = await agent.stream();
      const toggle = (mode: string): Promise<Response> =>
        fetch(`${hooked.url}/__demo/streams`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ mode }) });
      expect(await (await toggle("refuse")).json()).toEqual({ mode: "refuse", ended: 1 });
      await Promise.race([open.ended, sleep(2000).then(() => Promise.reject(new Error("the open stream was not ended")))]);
      expect((await agent.get("/api/bookings/events")).status).toBe(503);
      expect((await agent.get("/api/bookings/version")).status).toBe(200);
      await toggle("accept");
      const again = await agent.stream();
      expect(again.status).toBe(200);
      again.close();
    } finally {
      await hooked.close();
    }
  });
});
