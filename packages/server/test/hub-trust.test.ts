// Issue 11 (trust at the edges), the hub's items: each test failed on the hub before its fix.
import { type CanonicalId, type EventId, redisKeys } from "@realtime-bookings/protocol";
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { type Broker, createBookingHub, memoryBroker } from "../src/index.js";
import { ScopeCursors, MAX_SCOPE_CURSORS } from "../src/fanout/resume/cursors.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits, url } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const booking = (id: number, specialist = 3) => ({ type: "create" as const, data: { id, specialist_id: specialist, workpoint_id: 1 } });
const ids = (reader: SseReader) => reader.events.map((e) => (e.event === "booking" ? JSON.parse(e.data).data.id : e.event));
const quiet = { warn() {}, error() {} };

describe.each(kits.filter((k) => k.redis))("hub trusts only what the history holds: $name", (kit) => {
  const start = async (prefix: string, options = {}): Promise<HubServer> => {
    const server = await startHubServer(await kit.create({ prefix }), { logger: quiet, ...options });
    open.push(server);
    return server;
  };

  it("a forged far-future id on the channel is rejected and counted; it moves no cursor and later events arrive", async () => {
    const prefix = uniquePrefix();
    const server = await start(prefix);
    const reader = await openSse(server.streamUrl("spec-3"));
    open.push(reader);
    await server.hub.publish(booking(1));
    await reader.waitForEvents(1);
    const raw = new Redis(url());
    open.push({ close: () => raw.disconnect() });
    const forged = `{"id":"999999999999999-0","type":"create","data":{"id":666,"specialist_id":3,"workpoint_id":1}}`;
    await raw.publish(redisKeys({ prefix }).channel, forged);
    await sleep(50);
    await server.hub.publish(booking(2));
    await reader.waitForEvents(2);
    // A new viewer's resume point is a real id, not the forged one.
    const late = await openSse(server.streamUrl("spec-3"));
    open.push(late);
    for (let i = 0; i < 100 && late.ready.length === 0; i++) await sleep(10);
    await server.hub.publish(booking(3));
    await reader.waitForEvents(3);
    await late.waitForEvents(1);
    expect({ first: ids(reader), late: ids(late), readyId: late.ready[0]?.id, rejected: server.hub.stats().messagesRejected }).toEqual({
      first: [1, 2, 3],
      late: [3],
      readyId: expect.not.stringMatching(/^999999999999999/),
      rejected: 1,
    });
  });

  it("a real id with a forged body delivers the history's event, not the forged one", async () => {
    const prefix = uniquePrefix();
    const server = await start(prefix);
    const reader = await openSse(server.streamUrl("admin"));
    open.push(reader);
    const { id } = await server.hub.publish(booking(1));
    await reader.waitForEvents(1);
    const raw = new Redis(url());
    open.push({ close: () => raw.disconnect() });
    await raw.publish(redisKeys({ prefix }).channel, `{"id":"${id}","type":"delete","data":{"id":1,"specialist_id":3,"workpoint_id":1}}`);
    await server.hub.publish(booking(2));
    await reader.waitForEvents(2);
    await sleep(50);
    expect({ events: reader.events.map((e) => JSON.parse(e.data).type), rejected: server.hub.stats().messagesRejected }).toEqual({
      events: ["create", "create"],
      rejected: 1,
    });
  });

  it("resumes inside the recent history are served from memory; older ones are rate-limited per viewer with 429 and Retry-After", async () => {
    const prefix = uniquePrefix();
    const server = await start(prefix, { replayLimit: 5, resumeBurst: 3, resumesPerSecond: 1 });
    const first = await server.hub.publish(booking(1));
    for (let i = 2; i <= 12; i++) await server.hub.publish(booking(i));
    const recent = (await server.hub.publish(booking(13))).id;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(server.streamUrl("spec-3"), { headers: { "Last-Event-ID": recent } });
      statuses.push(response.status);
      await response.body?.cancel();
    }
    const old: Response[] = [];
    for (let i = 0; i < 5; i++) old.push(await fetch(server.streamUrl("spec-3"), { headers: { "Last-Event-ID": first.id } }));
    const refused = old.at(-1) as Response;
    const body = refused.status === 429 ? ((await refused.json()) as { error?: string }) : undefined;
    for (const response of old) await response.body?.cancel().catch(() => {});
    // Another viewer is not limited by this one.
    const other = await fetch(server.streamUrl("spec-4"), { headers: { "Last-Event-ID": first.id } });
    await other.body?.cancel();
    expect({
      recent: statuses,
      old: old.map((r) => r.status),
      retryAfter: Number(refused.headers.get("retry-after")) >= 1,
      reason: body?.error,
      other: other.status,
    }).toEqual({ recent: [200, 200, 200, 200, 200, 200], old: [200, 200, 200, 429, 429], retryAfter: true, reason: "too_many_resumes", other: 200 });
  });
});

describe("hub bounds and deadlines", () => {
  it("a stream whose credentials expire in 30 days stays open (timers past 2^31-1 ms are re-armed, not fired at once)", async () => {
    const hub = createBookingHub({
      authenticate: () => ({ viewer: { role: "admin" }, key: "a", expiresAt: Date.now() + 30 * 24 * 3600 * 1000 }),
      logger: quiet,
    });
    const response = await hub.events.fetch(new Request("http://hub/events"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read(); // the preamble
    await sleep(100);
    await hub.publish(booking(1));
    let text = "";
    for (let i = 0; i < 5 && !text.includes("event: booking"); i++) text += new TextDecoder().decode((await reader.read()).value);
    const connections = hub.stats().connections.admin;
    await reader.cancel();
    await hub.close();
    expect({ delivered: text.includes("event: booking"), connections }).toEqual({ delivered: true, connections: 1 });
  });

  it("the per-scope resume points stay bounded whatever scope ids arrive", () => {
    const cursors = new ScopeCursors();
    for (let i = 0; i < 200_000; i++) cursors.advance(`${i}-0` as EventId, { workpoints: [String(i) as CanonicalId], specialists: [String(i) as CanonicalId] });
    expect({
      size: cursors.size,
      newest: cursors.startFor({ role: "specialist", specialist_id: "199999" as CanonicalId }),
      forgotten: cursors.startFor({ role: "specialist", specialist_id: "1" as CanonicalId }),
      // A forgotten scope gets no id of its own, only the minute checkpoint every quiet viewer gets.
    }).toEqual({ size: 2 * MAX_SCOPE_CURSORS, newest: "199999-0", forgotten: "180000-0" });
  });

  it("health() reuses the broker's answer for about a second: 2,000 checks cost one ping", async () => {
    const inner = memoryBroker();
    let pings = 0;
    const broker: Broker = { ...inner, ping: () => ((pings += 1), inner.ping()) };
    const hub = createBookingHub({ broker, authenticate: () => null, logger: quiet });
    await sleep(20); // subscribed: a change of the subscription's state asks again
    pings = 0;
    await Promise.all(Array.from({ length: 2000 }, () => hub.health()));
    const health = await hub.health();
    await hub.close();
    expect({ pings, ok: health.brokerReachable }).toEqual({ pings: 1, ok: true });
  });

  it("publish() refuses an event that fits the limit only without its id: hubs would drop its channel message", async () => {
    const hub = createBookingHub({ authenticate: () => null, logger: quiet });
    const base = JSON.stringify({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1, pad: "" } }).length;
    const event = (length: number) => ({ type: "create" as const, data: { id: 1, specialist_id: 3, workpoint_id: 1, pad: "x".repeat(length - base) } });
    const nearLimit = await hub.publish(event(65_520)).then(() => "published", (e: unknown) => (e as { code?: string }).code);
    const fits = await hub.publish(event(65_000)).then(() => "published", (e: unknown) => (e as { code?: string }).code);
    await hub.close();
    expect({ nearLimit, fits }).toEqual({ nearLimit: "invalid_event", fits: "published" });
  });

  it("close() returns within the broker timeout when the broker never finishes closing", async () => {
    const inner = memoryBroker();
    const broker: Broker = { ...inner, close: () => new Promise<void>(() => {}) };
    const hub = createBookingHub({ broker, authenticate: () => null, logger: quiet, brokerTimeoutMs: 200 });
    const outcome = await Promise.race([hub.close().then(() => "closed"), sleep(3000).then(() => "hung")]);
    expect(outcome).toBe("closed");
  });
});


