import { type EventId, SSE_HEADERS } from "@realtime-bookings/protocol";
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type BookingEvent, HubError } from "../src/index.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits, redis } = brokerKits();

const booking = (id: number, specialist: number, workpoint: number, previous?: { specialist_id?: number; workpoint_id?: number }): BookingEvent =>
  previous
    ? { type: "update", data: { id, specialist_id: specialist, workpoint_id: workpoint }, previous }
    : { type: "create", data: { id, specialist_id: specialist, workpoint_id: workpoint } };

/** A stream read off a bare TCP socket, to see the bytes on the wire. */
async function rawStream(url: string, httpVersion: "1.0" | "1.1") {
  const { hostname, port, pathname, search } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = "";
  const ended = new Promise<void>((resolve) => socket.once("end", resolve));
  socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(`GET ${pathname}${search} HTTP/${httpVersion}\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`);
  return {
    socket,
    ended,
    text: () => received,
    async until(done: (text: string) => boolean): Promise<void> {
      for (let waited = 0; !done(received); waited += 10) {
        if (waited > 5_000) throw new Error(`timed out; received: ${JSON.stringify(received)}`);
        await sleep(10);
      }
    },
  };
}

const ids = (reader: SseReader) => reader.events.filter((e) => e.event === "booking").map((e) => JSON.parse(e.data).data.id as number);

/** Servers and readers opened by a test, closed after it. */
function harness(kit: (typeof kits)[number]) {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  const start = async (options: Parameters<typeof startHubServer>[1] = {}, historyLength?: number): Promise<HubServer> => {
    const broker = await kit.create(historyLength ? { prefix: uniquePrefix(), historyLength } : { prefix: uniquePrefix() });
    const server = await startHubServer(broker, options);
    open.push(server);
    return server;
  };
  const sse = async (url: string, headers?: Record<string, string>) => {
    const reader = await openSse(url, headers);
    open.push(reader);
    return reader;
  };

  return { open, start, sse };
}

describe.each(kits)("hub over HTTP: $name", (kit) => {
  const { start, sse } = harness(kit);

  it("streams a published booking with SSE headers, a jittered retry hint and its history id", async () => {
    const server = await start();
    const reader = await sse(server.streamUrl("admin"));
    expect(reader.status).toBe(200);
    expect(reader.headers["content-type"]).toBe(SSE_HEADERS["Content-Type"]);
    expect(reader.headers["cache-control"]).toBe("no-cache, no-transform");
    expect(reader.headers["x-accel-buffering"]).toBe("no");
    const { id } = await server.hub.publish({ type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1, note: "line\r\nevent: x" } });
    const [event] = await reader.waitForEvents(1);
    expect(event).toEqual({
      event: "booking",
      id,
      data: JSON.stringify({ type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1, note: "line\r\nevent: x" } }),
    });
    expect(reader.retry).toBeGreaterThanOrEqual(2000);
    expect(reader.retry).toBeLessThan(4000);
  });

  it("frames an HTTP/1.1 stream by connection close, one raw SSE message per event, and ends it cleanly", async () => {
    const server = await start();
    const raw = await rawStream(server.streamUrl("admin"), "1.1");
    await raw.until((text) => text.includes("event: ready"));
    const { id } = await server.hub.publish(booking(7, 3, 1));
    await raw.until((text) => text.includes(`id: ${id}`));
    const [head = "", body = ""] = raw.text().split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head.toLowerCase()).toContain("connection: close");
    expect(head.toLowerCase()).not.toContain("transfer-encoding");
    // No chunk-size lines between messages: the body is the SSE stream itself.
    expect(body).toMatch(/^retry: \d+\n\n/);
    expect(body).toContain(`event: booking\nid: ${id}\ndata: ${JSON.stringify(booking(7, 3, 1))}\n\n`);
    await server.hub.close();
    await raw.ended;
  });

  it("streams to an HTTP/1.0 client too", async () => {
    const server = await start();
    const raw = await rawStream(server.streamUrl("admin"), "1.0");
    await raw.until((text) => text.includes("event: ready"));
    const { id } = await server.hub.publish(booking(8, 3, 1));
    await raw.until((text) => text.includes(`id: ${id}`));
    expect(raw.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.text().toLowerCase()).not.toContain("transfer-encoding");
    raw.socket.destroy();
  });

  it("filters server-side: specialists their own, supervisors their workpoint's, admins all, moves to both scopes", async () => {
    const server = await start();
    const names = ["admin", "sup-1", "sup-2", "sup-12", "spec-3", "spec-5", "spec-33"] as const;
    const readers = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await sse(server.streamUrl(n))] as const)));
    await server.hub.publish(booking(1, 3, 1));
    await server.hub.publish(booking(2, 5, 2));
    await server.hub.publish(booking(1, 5, 2, { specialist_id: 3, workpoint_id: 1 })); // the move
    await server.hub.publish(booking(100, 33, 12, { specialist_id: 3, workpoint_id: 1 }));
    await server.hub.publish(booking(101, 5, 2));
    const expected: Record<(typeof names)[number], number[]> = {
      admin: [1, 2, 1, 100, 101],
      "sup-1": [1, 1, 100],
      "sup-2": [2, 1, 101],
      "sup-12": [100],
      "spec-3": [1, 1, 100],
      "spec-5": [2, 1, 101],
      "spec-33": [100],
    };
    for (const n of names) await readers[n]?.waitForEvents(expected[n].length);
    await sleep(50); // anything extra would have arrived by now
    expect(Object.fromEntries(names.map((n) => [n, ids(readers[n] as SseReader)]))).toEqual(expected);
  });

  it("resumes from Last-Event-ID (header or query), replaying only what the viewer's current scope may see", async () => {
    const server = await start();
    const first = await server.hub.publish(booking(1, 3, 1));
    await server.hub.publish(booking(2, 5, 2));
    await server.hub.publish(booking(3, 3, 2));
    for (const headers of [{ "Last-Event-ID": first.id }, undefined]) {
      const url = headers ? server.streamUrl("spec-3") : server.streamUrl("spec-3", `&lastEventId=${first.id}`);
      const reader = await sse(url, headers);
      await reader.waitForEvents(1);
      expect(ids(reader)).toEqual([3]);
    }
    const header = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": first.id });
    await header.waitForEvents(1);
    await server.hub.publish(booking(4, 3, 1));
    await header.waitForEvents(2);
    expect(ids(header)).toEqual([3, 4]);
  });

  it("asks for one resync when the id is older than the history, or the replay would exceed its limit", async () => {
    const server = await start({ replayLimit: 3 }, 5);
    const first = await server.hub.publish(booking(1, 3, 1));
    for (let i = 2; i <= 5; i++) await server.hub.publish(booking(i, 3, 1));
    const tooMany = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": first.id });
    expect((await tooMany.waitForEvents(1))[0]).toEqual({ event: "resync", id: undefined, data: '{"reason":"history_exceeded"}' });
    // Redis trims approximately, in whole stream nodes of 100 entries: go well past them.
    for (let i = 6; i <= (kit.redis ? 260 : 12); i++) await server.hub.publish(booking(i, 3, 1));
    const trimmed = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": first.id });
    expect((await trimmed.waitForEvents(1))[0]?.data).toBe('{"reason":"history_exceeded"}');
    await server.hub.publish(booking(999, 3, 1));
    await trimmed.waitForEvents(2);
    expect(ids(trimmed)).toEqual([999]);
  });

  it("resumes from 0-0 (no event yet) into nothing when there is no history, and into a resync when there is", async () => {
    const server = await start();
    const fresh = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": "0-0" });
    for (let i = 0; i < 100 && fresh.ready.length === 0; i++) await sleep(10);
    expect(fresh.events).toEqual([]); // nothing was ever published: nothing to reload
    await server.hub.publish(booking(1, 5, 2));
    const later = await sse(server.streamUrl("spec-3"), { "Last-Event-ID": "0-0" });
    expect((await later.waitForEvents(1))[0]?.data).toBe('{"reason":"history_exceeded"}');
  });

  it("answers a malformed Last-Event-ID with a resync, never a scan, then streams live", async () => {
    const server = await start();
    const reader = await sse(server.streamUrl("admin"), { "Last-Event-ID": "../../etc/passwd" });
    expect((await reader.waitForEvents(1))[0]?.data).toBe('{"reason":"invalid_id"}');
    await server.hub.publish(booking(1, 1, 1));
    await reader.waitForEvents(2);
    expect(ids(reader)).toEqual([1]);
  });

  it("serves per-scope versions with an ETag, 304 when unchanged, and no booking data", async () => {
    const server = await start();
    await server.hub.publish(booking(1, 3, 1));
    await server.hub.publish(booking(2, 5, 2));
    const get = (as: string, etag?: string) => fetch(server.versionUrl(as), { headers: etag ? { "If-None-Match": etag } : {} });
    const spec3 = await get("spec-3");
    expect(spec3.status).toBe(200);
    expect(spec3.headers.get("cache-control")).toBe("private, no-store");
    expect(await spec3.json()).toEqual({ version: 1 });
    expect(await (await get("admin")).json()).toEqual({ version: 2 });
    expect(await (await get("sup-2")).json()).toEqual({ version: 1 });
    expect(await (await get("sup-12")).json()).toEqual({ version: 0 });
    const etag = spec3.headers.get("etag") as string;
    expect((await get("spec-3", etag)).status).toBe(304);
    await server.hub.publish(booking(3, 5, 1, { specialist_id: 3 }));
    const after = await get("spec-3", etag);
    expect([after.status, await after.json()]).toEqual([200, { version: 2 }]);
    expect((await get("spec-33")).headers.get("etag")).not.toBe(etag);
  });

  it("refuses requests without a viewer: 401 JSON, no stream", async () => {
    const server = await start();
    const reader = await sse(server.streamUrl("nobody"));
    expect(reader.status).toBe(401);
    expect(reader.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(reader.raw() || (await reader.ended, reader.raw()))).toEqual({ error: "unauthenticated", message: expect.any(String) });
    expect((await fetch(server.versionUrl("nobody"))).status).toBe(401);
    expect(server.hub.stats().connections).toEqual({ admin: 0, supervisor: 0, specialist: 0 });
  });

  it("rejects an invalid publish with a typed error naming the field", async () => {
    const server = await start();
    const error = await server.hub.publish({ type: "create", data: { id: 1, specialist_id: "3:1", workpoint_id: 1 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect({ code: (error as HubError).code, field: ((error as HubError).cause as { field?: string }).field }).toEqual({
      code: "invalid_event",
      field: "data.specialist_id",
    });
  });
});

describe.each(kits.filter((k) => k.redis))("hub over HTTP on Redis: $name", (kit) => {
  const { open, sse } = harness(kit);

  it("delivers a bare redis-cli PUBLISH in the seed's format live, and survives hostile messages", async () => {
    const prefix = uniquePrefix();
    const broker = await kit.create({ prefix, channel: `${prefix}:updates` } as never);
    const server = await startHubServer(broker, { logger: { warn() {}, error() {} } });
    open.push(server);
    const reader = await sse(server.streamUrl("sup-1"));
    for (const hostile of ["not json", '{"type":"create\\nevent: x","data":{}}', '{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"__proto__":{}}}']) {
      await redis()?.cli("PUBLISH", `${prefix}:updates`, hostile);
    }
    await redis()?.cli("PUBLISH", `${prefix}:updates`, '{"type":"update","data":{"id":7,"specialist_id":3,"workpoint_id":1}}');
    const [event] = await reader.waitForEvents(1);
    expect(event).toEqual({ event: "booking", id: undefined, data: '{"type":"update","data":{"id":7,"specialist_id":3,"workpoint_id":1}}' });
    expect(server.hub.stats().messagesRejected).toBe(3);
    expect(reader.raw()).not.toContain("event: x");
  });

  it("gives a fresh stream a resume point in `ready`, so a client that has received nothing yet loses nothing on another hub", async () => {
    const prefix = uniquePrefix();
    const a = await startHubServer(await kit.create({ prefix }), {});
    const b = await startHubServer(await kit.create({ prefix }), {});
    open.push(a, b);
    for (let i = 0; i < 500 && !a.hub.stats().brokerUp; i++) await sleep(10); // A listens before anything is published
    await a.hub.publish(booking(1, 3, 1));
    await a.hub.publish(booking(2, 5, 2)); // not spec-3's: its resume point must not reveal this one
    for (let i = 0; i < 500 && a.hub.stats().eventsReceived < 2; i++) await sleep(10);
    expect(a.hub.stats().eventsReceived).toBe(2); // hub A has seen both before the stream opens
    const fresh = await sse(a.streamUrl("spec-3"));
    await fresh.waitForEvents(0);
    for (let i = 0; i < 100 && fresh.ready.length === 0; i++) await sleep(10);
    const cursor = fresh.ready[0]?.id as string;
    fresh.close(); // its hub "dies" before it receives anything
    await a.hub.publish(booking(3, 3, 1));
    const resumed = await sse(b.streamUrl("spec-3"), { "Last-Event-ID": cursor });
    await resumed.waitForEvents(1);
    expect(ids(resumed)).toEqual([3]);
    const admin = await sse(a.streamUrl("admin"));
    for (let i = 0; i < 100 && admin.ready.length === 0; i++) await sleep(10);
    expect(cursor < (admin.ready[0]?.id as string)).toBe(true); // admins see the global newest, specialists only their own
  });

  it("two hubs on one Redis both deliver what either publishes", async () => {
    const prefix = uniquePrefix();
    const a = await startHubServer(await kit.create({ prefix }), {});
    const b = await startHubServer(await kit.create({ prefix }), {});
    open.push(a, b);
    const onA = await sse(a.streamUrl("spec-3"));
    const onB = await sse(b.streamUrl("spec-3"));
    await a.hub.publish(booking(1, 3, 1));
    await b.hub.publish(booking(2, 3, 1));
    await Promise.all([onA.waitForEvents(2), onB.waitForEvents(2)]);
    expect([ids(onA), ids(onB)]).toEqual([[1, 2], [1, 2]]);
    const resumed = await sse(b.streamUrl("spec-3"), { "Last-Event-ID": onA.events[0]?.id as EventId });
    await resumed.waitForEvents(1);
    expect(ids(resumed)).toEqual([2]);
  });
});
