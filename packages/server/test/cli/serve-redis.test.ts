import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const available = hasRedisServer();
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});

const sse = async (url: string, headers?: Record<string, string>): Promise<SseReader> => {
  const reader = await openSse(url, headers);
  readers.push(reader);
  return reader;
};
const payloads = (reader: SseReader) => reader.events.map((e) => ({ event: e.event, id: e.id, data: JSON.parse(e.data) as unknown }));
let prefixes = 0;
const uniquePrefix = (): string => `cli${process.pid}x${++prefixes}`;

describe.skipIf(!available)("realtime-bookings serve + publish over Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const publish = async (prefix: string, ...args: string[]): Promise<string> => {
    const result = await runCli(["publish", "--redis", redis.url, "--key-prefix", prefix, ...args]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
    return result.stdout.trim();
  };

  it("a publish from the CLI reaches exactly the viewers allowed to see it, with its history id", async () => {
    const prefix = uniquePrefix();
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]);
    expect(hub.stdout()).toContain(`broker: redis ${redis.url}, channel ${prefix}:updates`);
    const spec3 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    const spec4 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: "4" })));
    const sup1 = await sse(`${hub.url}/events`, { Cookie: `rb_token=${await viewerToken({ role: "supervisor", workpoint_id: 1 })}` });
    const sup2 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "supervisor", workpoint_id: 2 })));
    // The admin streams as a native EventSource would: its token goes once in a header, for a ticket.
    const issued = await fetch(`${hub.url}/ticket`, { method: "POST", headers: bearer(await viewerToken({ role: "admin" })) });
    const { ticket } = (await issued.json()) as { ticket: string };
    const admin = await sse(`${hub.url}/events?ticket=${ticket}`);
    expect([spec3, spec4, sup1, sup2, admin].map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);

    const first = await publish(prefix, "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1", "--data", '{"start":"2025-01-31 10:00"}');
    expect(first).toMatch(/^\d+-\d+$/);
    // A marker for the other scope: each viewer's FIRST event proves what it did not get before it.
    const second = await publish(prefix, "--type", "create", "--id", "43", "--specialist", "4", "--workpoint", "2");
    const created42 = { event: "booking", id: first, data: { type: "create", data: { start: "2025-01-31 10:00", id: 42, specialist_id: 3, workpoint_id: 1 } } };
    const created43 = { event: "booking", id: second, data: { type: "create", data: { id: 43, specialist_id: 4, workpoint_id: 2 } } };
    await admin.waitForEvents(2);
    await Promise.all([spec3, spec4, sup1, sup2].map((r) => r.waitForEvents(1)));
    await sleep(100);
    expect(payloads(spec3)).toEqual([created42]);
    expect(payloads(sup1)).toEqual([created42]);
    expect(payloads(spec4)).toEqual([created43]);
    expect(payloads(sup2)).toEqual([created43]);
    expect(payloads(admin)).toEqual([created42, created43]);

    const version = async (claims: Record<string, unknown>) => (await fetch(`${hub.url}/version`, { headers: bearer(await viewerToken(claims)) })).json();
    expect(await version({ role: "specialist", specialist_id: 3 })).toEqual({ version: 1 });
    expect(await version({ role: "supervisor", workpoint_id: 2 })).toEqual({ version: 1 });
    expect(await version({ role: "supervisor", workpoint_id: 7 })).toEqual({ version: 0 });
    expect(await version({ role: "admin" })).toEqual({ version: 2 });
  });

  it("a move reaches the old and the new scope; several hub processes on one Redis all deliver", async () => {
    const prefix = uniquePrefix();
    const [a, b] = await Promise.all([
      startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]),
      startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]),
    ]);
    const before = await sse(`${a.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    const after = await sse(`${b.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 5 })));
    const bystander = await sse(`${b.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 6 })));
    const id = await publish(prefix, "--type", "update", "--id", "42", "--specialist", "5", "--workpoint", "2", "--previous-specialist", "3", "--previous-workpoint", "1");
    const moved = { type: "update", data: { id: 42, specialist_id: 5, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 } };
    await Promise.all([before.waitForEvents(1), after.waitForEvents(1)]);
    expect(payloads(before)).toEqual([{ event: "booking", id, data: moved }]);
    expect(payloads(after)).toEqual([{ event: "booking", id, data: moved }]);
    await sleep(150);
    expect(bystander.events).toEqual([]);
  });

  it("a reconnecting viewer resumes from Last-Event-ID or ?lastEventId with only its scope; an unknown id gets resync", async () => {
    const prefix = uniquePrefix();
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]);
    const token = await viewerToken({ role: "specialist", specialist_id: 3 });
    const first = await publish(prefix, "--type", "create", "--id", "1", "--specialist", "3", "--workpoint", "1");
    await publish(prefix, "--type", "create", "--id", "2", "--specialist", "4", "--workpoint", "1");
    const third = await publish(prefix, "--type", "delete", "--id", "1", "--specialist", "3", "--workpoint", "1");
    const byHeader = await sse(`${hub.url}/events`, { ...bearer(token), "Last-Event-ID": first });
    const byQuery = await sse(`${hub.url}/events?lastEventId=${first}`, bearer(token));
    for (const reader of [byHeader, byQuery]) {
      await reader.waitForEvents(1);
      await sleep(100);
      expect(payloads(reader)).toEqual([{ event: "booking", id: third, data: { type: "delete", data: { id: 1, specialist_id: 3, workpoint_id: 1 } } }]);
    }
    const bogus = await sse(`${hub.url}/events`, { ...bearer(token), "Last-Event-ID": "not-an-id" });
    await bogus.waitForEvents(1);
    expect(payloads(bogus)).toEqual([{ event: "resync", id: undefined, data: { reason: "invalid_id" } }]);
  });

  it("a legacy bare PUBLISH is delivered live without an id and bumps no version", async () => {
    const prefix = uniquePrefix();
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]);
    const token = await viewerToken({ role: "specialist", specialist_id: 3 });
    const reader = await sse(`${hub.url}/events`, bearer(token));
    await redis.cli("PUBLISH", `${prefix}:updates`, JSON.stringify({ type: "update", data: { id: 9, specialist_id: "3", workpoint_id: 1 } }));
    await reader.waitForEvents(1);
    expect(payloads(reader)).toEqual([{ event: "booking", id: undefined, data: { type: "update", data: { id: 9, specialist_id: "3", workpoint_id: 1 } } }]);
    expect(reader.raw()).toContain(`event: booking\ndata: {"type":"update"`); // no id: line
    expect(await (await fetch(`${hub.url}/version`, { headers: bearer(token) })).json()).toEqual({ version: 0 });
  });

  it("serves every endpoint under --path-prefix and answers 404 JSON elsewhere", async () => {
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", uniquePrefix(), "--path-prefix", "/realtime/"]);
    expect(new URL(hub.url).pathname).toBe("/realtime");
    const token = bearer(await viewerToken({ role: "admin" }));
    const statuses = await Promise.all(
      ["/realtime/version", "/realtime/healthz", "/realtime/metrics", "/events", "/realtime/events/x", "/"].map(async (path) => {
        const response = await fetch(`http://127.0.0.1:${hub.port}${path}`, { headers: token });
        return [path, response.status, response.headers.get("content-type")?.split(";")[0]];
      }),
    );
    expect(statuses).toEqual([
      ["/realtime/version", 200, "application/json"],
      ["/realtime/healthz", 200, "application/json"],
      ["/realtime/metrics", 200, "text/plain"],
      ["/events", 404, "application/json"],
      ["/realtime/events/x", 404, "application/json"],
      ["/", 404, "application/json"],
    ]);
    const stream = await sse(`${hub.url}/events`, token);
    expect([stream.status, stream.headers["content-type"]]).toEqual([200, "text/event-stream; charset=utf-8"]);
    const missing = await fetch(`http://127.0.0.1:${hub.port}/nope`);
    expect(await missing.json()).toEqual({ error: "not_found", message: expect.stringContaining("/realtime/events") });
  });
});

describe("realtime-bookings serve without Redis", () => {
  it("runs on the in-memory broker, says so, and serves streams", async () => {
    const hub = await startServe(["--secret", SECRET]);
    expect(hub.stdout()).toContain("broker: in-memory (this process only");
    expect(hub.stdout().trim().split("\n")).toHaveLength(1);
    const reader = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "admin" })));
    expect(reader.status).toBe(200);
    expect(await (await fetch(`${hub.url}/healthz`)).json()).toMatchObject({ ok: true, broker: "memory" });
  });
});
