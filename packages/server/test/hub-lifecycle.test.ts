import { openSse, sleep } from "@realtime-bookings/test-utils";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createBookingHub, memoryBroker } from "../src/index.js";
import { type HubServer, startHubServer, viewerFromQuery } from "./support/hub-server.js";

const quiet = { warn() {}, error() {} };
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
let takeSockets = false;
const start = async (options: Parameters<typeof startHubServer>[1] = {}): Promise<HubServer> => {
  const server = await startHubServer(memoryBroker(), options, { takeSockets });
  open.push(server);
  return server;
};
const sse = async (url: string, headers?: Record<string, string>) => {
  const reader = await openSse(url, headers);
  open.push(reader);
  return reader;
};
const until = async (check: () => boolean, ms = 3000) => {
  for (const t0 = Date.now(); !check(); ) {
    if (Date.now() - t0 > ms) throw new Error("condition not met in time");
    await sleep(10);
  }
};
const booking = (id: number) => ({ type: "create" as const, data: { id, specialist_id: 3, workpoint_id: 1 } });

// Every Node-shape behaviour, on the response (a hub mounted in an app's server) and on the socket
// taken from node:http once the stream started (the standalone server).
describe.each([
  { mount: "mounted in node:http", take: false },
  { mount: "streams on taken sockets", take: true },
])("hub lifecycle, $mount", ({ take }) => {
  beforeAll(() => {
    takeSockets = take;
  });
  it("announces its heartbeat interval in `ready` and sends named heartbeat events on it (a native EventSource sees them)", async () => {
    const server = await start({ heartbeatMs: 40 });
    const reader = await sse(server.streamUrl("admin"));
    await until(() => reader.heartbeats.length >= 2);
    expect(reader.ready.map((e) => e.data)).toEqual(['{"heartbeatMs":40}']);
    expect(reader.heartbeats.slice(0, 2)).toEqual([
      { event: "heartbeat", id: undefined, data: "{}" },
      { event: "heartbeat", id: undefined, data: "{}" },
    ]);
    expect(reader.raw()).toContain("event: heartbeat\ndata: {}\n\n");
    expect(reader.comments).toEqual([]);
    expect(reader.events).toEqual([]);
  });

  it("spreads the heartbeats of many streams over the period instead of writing to all of them at once, each stream still once per period", async () => {
    const server = await start({ heartbeatMs: 1_000 }); // four slices of 250 ms
    const readers = await Promise.all(Array.from({ length: 8 }, (_, k) => sse(server.streamUrl(`spec-${k + 1}`))));
    const firstAt = new Map<number, number>();
    const secondAt = new Map<number, number>();
    await until(() => {
      readers.forEach((r, k) => {
        if (r.heartbeats.length >= 1 && !firstAt.has(k)) firstAt.set(k, Date.now());
        if (r.heartbeats.length >= 2 && !secondAt.has(k)) secondAt.set(k, Date.now());
      });
      return secondAt.size === readers.length;
    }, 5_000);
    const firsts = [...firstAt.values()];
    // Two streams per slice: their first heartbeats come in four turns about 250 ms apart, not one.
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThanOrEqual(400);
    for (const [k, at] of secondAt) expect(at - (firstAt.get(k) as number)).toBeGreaterThanOrEqual(700); // once per period
  });

  it("frees a connection as soon as its client goes", async () => {
    const server = await start();
    const a = await sse(server.streamUrl("spec-3"));
    await sse(server.streamUrl("sup-1"));
    await until(() => server.hub.stats().connections.specialist === 1);
    a.close();
    await until(() => server.hub.stats().connections.specialist === 0);
    expect(server.hub.stats().connections).toEqual({ admin: 0, supervisor: 1, specialist: 0 });
  });

  it("close() ends every stream, refuses new ones with 503 and rejects publish", async () => {
    const server = await start();
    const reader = await sse(server.streamUrl("admin"));
    await server.hub.close();
    await reader.ended;
    const again = await fetch(server.streamUrl("admin"));
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([503, "shutting_down"]);
    await expect(server.hub.publish(booking(1))).rejects.toMatchObject({ code: "closed" });
    await server.hub.close(); // safe twice
  });

  it("drops a reader that stops reading once its buffer passes the cap; others keep up", async () => {
    const server = await start({ maxBufferedBytes: 256 * 1024 });
    const slow = await sse(server.streamUrl("admin"));
    const fast = await sse(server.streamUrl("admin"));
    slow.pause();
    const pad = "x".repeat(60_000);
    for (let i = 0; i < 200 && server.hub.stats().slowReadersDropped === 0; i++) {
      await server.hub.publish({ type: "create", data: { id: i, specialist_id: 1, workpoint_id: 1, pad } });
      await sleep(1);
    }
    expect(server.hub.stats().slowReadersDropped).toBe(1);
    await until(() => server.hub.stats().connections.admin === 1);
    const sent = server.hub.stats().published;
    await fast.waitForEvents(sent, 10_000);
    expect(fast.events.length).toBe(sent);
  });

  it("writes a resume larger than the slow-reader cap at the reader's pace instead of dropping it", async () => {
    const server = await start({ maxBufferedBytes: 64 * 1024 });
    const pad = "y".repeat(10_000);
    const first = await server.hub.publish({ type: "create", data: { id: 0, specialist_id: 3, workpoint_id: 1, pad } });
    for (let i = 1; i <= 60; i++) await server.hub.publish({ type: "create", data: { id: i, specialist_id: 3, workpoint_id: 1, pad } });
    const reader = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": first.id });
    await reader.waitForEvents(60, 10_000);
    expect(reader.events.map((e) => JSON.parse(e.data).data.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(server.hub.stats().slowReadersDropped).toBe(0);
  });

  it("does the same for the Web-standard shape, reading slowly", async () => {
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: (r) => viewerFromQuery(r.url), maxBufferedBytes: 64 * 1024 });
    open.push(hub);
    const pad = "y".repeat(10_000);
    const first = await hub.publish({ type: "create", data: { id: 0, specialist_id: 3, workpoint_id: 1, pad } });
    for (let i = 1; i <= 60; i++) await hub.publish({ type: "create", data: { id: i, specialist_id: 3, workpoint_id: 1, pad } });
    const response = await hub.events.fetch(new Request("http://h/events?as=spec-3", { headers: { "Last-Event-ID": first.id } }));
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (e) => e.event !== "ready" && events.push(e) });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    while (events.length < 60) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.feed(decoder.decode(value, { stream: true }));
      await sleep(1); // a slow reader
    }
    await reader.cancel();
    expect(events.length).toBe(60);
    expect(hub.stats().slowReadersDropped).toBe(0);
  });

  it("serves the Web-standard shape: Request in, streaming Response out, freed on abort", async () => {
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: (r) => viewerFromQuery(r.url) });
    open.push(hub);
    const abort = new AbortController();
    const response = await hub.events.fetch(new Request("http://hub.test/events?as=sup-1", { signal: abort.signal }));
    expect([response.status, response.headers.get("content-type")]).toEqual([200, "text/event-stream; charset=utf-8"]);
    const events: EventSourceMessage[] = [];
    const parser = createParser({ onEvent: (e) => events.push(e) });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    while (events.length < 1) parser.feed(decoder.decode((await reader.read()).value));
    expect(events.shift()).toEqual({ event: "ready", id: "0-0", data: '{"heartbeatMs":25000}' }); // no event for this scope yet
    await hub.publish(booking(5));
    while (events.length < 1) {
      const { value } = await reader.read();
      parser.feed(decoder.decode(value));
    }
    expect(JSON.parse(events[0]?.data ?? "").data.id).toBe(5);
    expect(hub.stats().connections.supervisor).toBe(1);
    abort.abort();
    await until(() => hub.stats().connections.supervisor === 0);
    const version = await hub.version.fetch(new Request("http://hub.test/version?as=sup-1"));
    expect(await version.json()).toEqual({ version: 1 });
    expect((await hub.events.fetch(new Request("http://hub.test/events"))).status).toBe(401);
  });

  it("caps connections per viewer and in total with 429 and Retry-After", async () => {
    const server = await start({ maxConnectionsPerViewer: 2, maxConnections: 3 });
    await sse(server.streamUrl("spec-3"));
    await sse(server.streamUrl("spec-3"));
    const third = await sse(server.streamUrl("spec-3"));
    expect([third.status, third.headers["retry-after"] !== undefined]).toEqual([429, true]);
    expect((await sse(server.streamUrl("spec-4"))).status).toBe(200);
    expect((await sse(server.streamUrl("admin"))).status).toBe(429);
    expect(server.hub.stats().connectionsRefused).toBe(2);
  });

  it("allows listed origins with credentials, answers preflight, and gives other origins no stream", async () => {
    const server = await start({ cors: { origins: ["https://app.example"] } });
    const allowed = await sse(server.streamUrl("admin"), { Origin: "https://app.example" });
    expect([allowed.status, allowed.headers["access-control-allow-origin"], allowed.headers["access-control-allow-credentials"]]).toEqual([
      200,
      "https://app.example",
      "true",
    ]);
    const refused = await sse(server.streamUrl("admin"), { Origin: "https://evil.example" });
    expect([refused.status, refused.headers["access-control-allow-origin"]]).toEqual([403, undefined]);
    const preflight = await fetch(server.streamUrl("admin"), { method: "OPTIONS", headers: { Origin: "https://app.example", "Access-Control-Request-Headers": "last-event-id" } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Last-Event-ID");
  });

  it("ends a stream when the credentials authenticate gave expire, in both shapes, and caps by the key it gave", async () => {
    const expiresAt = Date.now() + 300;
    const authenticate = (r: { url: URL }) => ({ viewer: { role: "admin" as const }, key: `user:${r.url.searchParams.get("user")}`, expiresAt });
    const server = await start({ authenticate, maxConnectionsPerViewer: 1 });
    const node = await sse(`${server.url}/events?user=ann`);
    expect((await sse(`${server.url}/events?user=ann`)).status).toBe(429); // same user, another scope key would not matter
    expect((await sse(`${server.url}/events?user=bob`)).status).toBe(200);
    const hub = createBookingHub({ broker: memoryBroker(), authenticate });
    open.push(hub);
    const web = await hub.events.fetch(new Request("http://h/events?user=ann"));
    const body = (web.body as ReadableStream<Uint8Array>).getReader();
    const webEnded = (async () => {
      for (;;) if ((await body.read()).done) return Date.now();
    })();
    await node.ended;
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 5);
    expect(await webEnded).toBeGreaterThanOrEqual(expiresAt - 5);
    await until(() => hub.stats().connections.admin === 0);
  });

  it("sends the headers an AuthenticationError carries (WWW-Authenticate)", async () => {
    const { AuthenticationError } = await import("../src/index.js");
    const hub = createBookingHub({
      broker: memoryBroker(),
      authenticate: () => {
        throw new AuthenticationError("token_expired", "Sign in again.", 401, { "WWW-Authenticate": 'Bearer error="invalid_token"' });
      },
    });
    open.push(hub);
    const response = await hub.version.fetch(new Request("http://h/version"));
    expect([response.status, response.headers.get("www-authenticate")]).toEqual([401, 'Bearer error="invalid_token"']);
  });

  it("answers other methods with 405 and does nothing", async () => {
    const server = await start();
    const response = await fetch(server.streamUrl("admin"), { method: "POST" });
    expect([response.status, response.headers.get("allow")]).toEqual([405, "GET, OPTIONS"]);
  });

  it("refuses with the app's reason when authenticate throws an AuthenticationError, and 500 on an invalid viewer", async () => {
    const { AuthenticationError } = await import("../src/index.js");
    const hub = createBookingHub({
      broker: memoryBroker(),
      logger: quiet,
      authenticate: (r) => {
        if (r.url.searchParams.has("expired")) throw new AuthenticationError("token_expired", "Sign in again.");
        return { role: "specialist", specialist_id: "1 OR 1=1" } as never;
      },
    });
    open.push(hub);
    const expired = await hub.events.fetch(new Request("http://h/events?expired"));
    expect([expired.status, await expired.json()]).toEqual([401, { error: "token_expired", message: "Sign in again." }]);
    const invalid = await hub.events.fetch(new Request("http://h/events"));
    expect([invalid.status, ((await invalid.json()) as { error: string }).error]).toEqual([500, "invalid_viewer"]);
  });
});
