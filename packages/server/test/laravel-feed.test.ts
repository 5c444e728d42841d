// Laravel's Redis broadcaster, understood by the hub. The messages are published by a real `php`
// process with phpredis exactly as Laravel builds them: laravel/framework,
// src/Illuminate/Broadcasting/Broadcasters/RedisBroadcaster.php, RedisBroadcaster::broadcast():
// json_encode(['event' => $event, 'data' => $payload, 'socket' => Arr::pull($payload, 'socket')]),
// sent with one EVAL of "for i = 2, #ARGV do redis.call('publish', ARGV[i], ARGV[1]) end" (recent
// versions) or one PUBLISH per channel (older ones); see support/laravel-broadcast.php.
import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BookingData } from "@realtime-bookings/protocol";
import { type Broker, HubError, type LaravelOptions, memoryBroker } from "../src/index.js";
import { ioredisBroker } from "../src/brokers/ioredis.js";
import { nodeRedisBroker } from "../src/brokers/node-redis.js";
import { uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";
import { hasPhpRedis, laravelBroadcast } from "./support/laravel.js";

const available = hasRedisServer() && hasPhpRedis();
const PREFIX = "laravel_database_";
const PATTERN = `${PREFIX}*bookings*`;

let redis: RedisServer;
beforeAll(async () => {
  if (available) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

const open: Array<{ close(): unknown }> = [];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const brokers = {
  async ioredis(): Promise<Broker> {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    cleanups.push(() => client.disconnect());
    return ioredisBroker(client, { prefix: uniquePrefix() });
  },
  async "node-redis"(): Promise<Broker> {
    const client = createClient({ url: redis.url });
    client.on("error", () => {});
    await client.connect();
    cleanups.push(() => client.destroy());
    return nodeRedisBroker(client, { prefix: uniquePrefix() });
  },
};

/** A hub on a real node:http server, hearing Laravel's channels, with its warnings collected. */
async function start(kind: keyof typeof brokers, laravel: LaravelOptions = { channels: PATTERN }) {
  const warnings: string[] = [];
  const logger = { info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
  const server: HubServer = await startHubServer(await brokers[kind](), { laravel, logger });
  open.push(server);
  // The pattern subscription is confirmed once a probe on a matching channel comes back rejected.
  for (let i = 0; server.hub.stats().messagesRejected === 0; i++) {
    if (i > 200) throw new Error("the hub never subscribed to Laravel's channels");
    await laravelBroadcast(redis.port, "raw", PREFIX, ["bookings.probe"], "probe", "probe");
    await sleep(25);
  }
  await sleep(100); // a second probe may still be on its way
  const rejectedBefore = server.hub.stats().messagesRejected;
  return { server, warnings, rejected: () => server.hub.stats().messagesRejected - rejectedBefore };
}

const sse = async (url: string): Promise<SseReader> => {
  const reader = await openSse(url);
  open.push(reader);
  return reader;
};
const events = (reader: SseReader) => reader.events.map((e) => ({ event: e.event, id: e.id, data: JSON.parse(e.data) as unknown }));
const booking = (data: Record<string, unknown>) => ({ event: "booking", id: undefined, data });

describe.runIf(available).each(["ioredis", "node-redis"] as const)("Laravel's Redis broadcaster on %s", (kind) => {
  it("one EVAL on several prefixed channels reaches the booking's scope once, and no other scope", async () => {
    const { server, rejected } = await start(kind);
    const [spec3, spec4, sup1, admin] = await Promise.all([sse(server.streamUrl("spec-3")), sse(server.streamUrl("spec-4")), sse(server.streamUrl("sup-1")), sse(server.streamUrl("admin"))]);
    const channels = ["private-bookings.specialist.3", "private-bookings.workpoint.1"];
    const sent = await laravelBroadcast(redis.port, "eval", PREFIX, channels, "App\\Events\\BookingChanged", { type: "create", id: 42, specialist_id: 3, workpoint_id: 1, start: "2026-12-01 10:00" });
    expect(JSON.parse(sent)).toEqual({ event: "App\\Events\\BookingChanged", data: { type: "create", id: 42, specialist_id: 3, workpoint_id: 1, start: "2026-12-01 10:00" }, socket: null });
    // A marker for the other scope: each viewer's first event proves what it did not get before it.
    await laravelBroadcast(redis.port, "eval", PREFIX, ["private-bookings.specialist.4"], "App\\Events\\BookingChanged", { type: "delete", id: 43, specialist_id: 4, workpoint_id: 2 });
    await admin.waitForEvents(2);
    await Promise.all([spec3, spec4, sup1].map((r) => r.waitForEvents(1)));
    await sleep(100);
    const created = booking({ type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1, start: "2026-12-01 10:00" } });
    const deleted = booking({ type: "delete", data: { id: 43, specialist_id: 4, workpoint_id: 2 } });
    expect(events(spec3)).toEqual([created]);
    expect(events(sup1)).toEqual([created]);
    expect(events(spec4)).toEqual([deleted]);
    expect(events(admin)).toEqual([created, deleted]);
    expect(rejected()).toBe(0);
  });

  it("one PUBLISH per channel (phpredis prefix): a move reaches the old and the new scope, socket becomes origin", async () => {
    const { server } = await start(kind);
    const [before, after, bystander] = await Promise.all([sse(server.streamUrl("spec-3")), sse(server.streamUrl("spec-5")), sse(server.streamUrl("spec-6"))]);
    const payload = { type: "update", id: 42, specialist_id: 5, workpoint_id: 2, previous: { specialist_id: 3, workpoint_id: 1 }, socket: "1234.5678" };
    const sent = await laravelBroadcast(redis.port, "publish", PREFIX, ["private-bookings.5", "private-bookings.3"], "booking.moved", payload);
    expect(JSON.parse(sent)).toEqual({ event: "booking.moved", data: { type: "update", id: 42, specialist_id: 5, workpoint_id: 2, previous: { specialist_id: 3, workpoint_id: 1 } }, socket: "1234.5678" });
    await laravelBroadcast(redis.port, "publish", PREFIX, ["private-bookings.6"], "booking.created", { type: "create", id: 44, specialist_id: 6, workpoint_id: 9 });
    await Promise.all([before, after, bystander].map((r) => r.waitForEvents(1)));
    await sleep(100);
    const moved = booking({ type: "update", data: { id: 42, specialist_id: 5, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 }, origin: "1234.5678" });
    expect(events(before)).toEqual([moved]);
    expect(events(after)).toEqual([moved]);
    expect(events(bystander)).toEqual([booking({ type: "create", data: { id: 44, specialist_id: 6, workpoint_id: 9 } })]);
  });

  it("hears Laravel again after Redis restarts", async () => {
    const { server } = await start(kind);
    const reader = await sse(server.streamUrl("admin"));
    await redis.stop();
    await redis.start();
    // The pattern subscription comes back by itself: broadcast until one gets through (bounded).
    const bookings = () => events(reader).filter((e) => e.event === "booking");
    for (let i = 0; bookings().length === 0; i++) {
      if (i > 100) throw new Error("no Laravel broadcast got through after the restart");
      await laravelBroadcast(redis.port, "eval", PREFIX, ["bookings"], "x", { type: "create", id: 1, specialist_id: 3, workpoint_id: 1 }).catch(() => "");
      await sleep(100);
    }
    expect(bookings()[0]).toEqual(booking({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } }));
  });

  it("is live only: no history id, and the version counters do not move", async () => {
    const { server } = await start(kind);
    const reader = await sse(server.streamUrl("spec-3"));
    await laravelBroadcast(redis.port, "eval", PREFIX, ["bookings"], "x", { type: "create", id: 1, specialist_id: 3, workpoint_id: 1 });
    const [received] = await reader.waitForEvents(1);
    expect(received?.id).toBeUndefined();
    expect(await (await fetch(server.versionUrl("spec-3"))).json()).toEqual({ version: 0 });
  });
});

describe.runIf(available)("Laravel broadcasts the hub refuses", () => {
  it("an unmappable or invalid broadcast is rejected, counted, logged once per kind, and reaches nobody", async () => {
    const { server, warnings, rejected } = await start("ioredis");
    const admin = await sse(server.streamUrl("admin"));
    const send = (payload: Record<string, unknown> | string) =>
      laravelBroadcast(redis.port, typeof payload === "string" ? "raw" : "eval", PREFIX, ["private-bookings.3"], "App\\Events\\BookingChanged", payload);
    const valid = { type: "create", id: 1, specialist_id: 3, workpoint_id: 1 };
    const bad: Array<Record<string, unknown> | string> = [
      { type: "create", specialist_id: 3, workpoint_id: 1 }, // no id
      { type: "create", specialist_id: 3, workpoint_id: 1 }, // the same kind again: counted, not logged again
      { ...valid, type: "moved" }, // unknown type
      { ...valid, extra: JSON.parse('{"__proto__":{"polluted":true}}') }, // prototype pollution
      { ...valid, other: JSON.parse('{"__proto__":1}') }, // the same kind at another path: not logged again
      { ...valid, specialist_id: -1 }, // not an id
      { ...valid, notes: "x".repeat(70_000) }, // over the 64 KiB limit
      { ...valid, socket: "x".repeat(65) }, // an origin longer than 64 characters
      {}, // json_encode([]) is "[]": data is not an object
      "not json",
      JSON.stringify({ event: "x", data: "a string" }),
    ];
    for (const payload of bad) await send(payload);
    await send({ ...valid, id: 2 });
    await admin.waitForEvents(1);
    await sleep(150);
    expect(events(admin)).toEqual([booking({ type: "create", data: { id: 2, specialist_id: 3, workpoint_id: 1 } })]);
    expect(rejected()).toBe(bad.length);
    // Logged once per kind: the second missing id, the second __proto__, the second non-object data
    // and the invalid JSON (the start-up probe's kind) are not logged again.
    const logged = warnings.filter((w) => w.includes("rejected a Laravel broadcast")).map((w) => /rejected a Laravel broadcast: (.*) \(logged once/.exec(w)?.[1]);
    expect(logged).toEqual([
      "message is not valid JSON",
      "data.id is required",
      'type must be one of "create", "update", "delete", "test"',
      'key "__proto__" is not allowed',
      "data.specialist_id must be a non-negative integer or an id string, got -1",
      expect.stringMatching(/^message is \d+ characters long; the limit is 65536$/),
      "origin must be a string of 1 to 64 printable ASCII characters (the client's realtime.clientId)",
      "a Laravel broadcast's data must be an object (what broadcastWith() returns)",
    ]);
  });

  it("a custom mapper maps the app's own payload; what it returns null for, or throws on, is rejected", async () => {
    const map: LaravelOptions["map"] = ({ event, data, socket }) => {
      if (event === "explode") throw new Error("boom");
      if (event !== "booking.saved") return null;
      return { type: "update", data: data["booking"] as BookingData, ...(typeof socket === "string" ? { origin: socket } : {}) };
    };
    const { server, rejected } = await start("node-redis", { channels: PATTERN, map });
    const [spec3, spec4] = await Promise.all([sse(server.streamUrl("spec-3")), sse(server.streamUrl("spec-4"))]);
    const channel = ["bookings"];
    await laravelBroadcast(redis.port, "eval", PREFIX, channel, "chat.message", { text: "hello" });
    await laravelBroadcast(redis.port, "eval", PREFIX, channel, "explode", { booking: { id: 1, specialist_id: 3, workpoint_id: 1 } });
    await laravelBroadcast(redis.port, "eval", PREFIX, channel, "booking.saved", { booking: { id: 7, specialist_id: 3 } }); // invalid: no workpoint
    await laravelBroadcast(redis.port, "eval", PREFIX, channel, "booking.saved", { booking: { id: 8, specialist_id: 3, workpoint_id: 1, room: "A" }, socket: "tab-1" });
    await spec3.waitForEvents(1);
    await sleep(150);
    expect(events(spec3)).toEqual([booking({ type: "update", data: { id: 8, specialist_id: 3, workpoint_id: 1, room: "A" }, origin: "tab-1" })]);
    expect(events(spec4)).toEqual([]);
    expect(rejected()).toBe(3);
  });

  it("a channel the pattern does not match is not heard", async () => {
    const { server } = await start("ioredis");
    const admin = await sse(server.streamUrl("admin"));
    await laravelBroadcast(redis.port, "eval", PREFIX, ["private-orders.3"], "x", { type: "create", id: 1, specialist_id: 3, workpoint_id: 1 });
    await laravelBroadcast(redis.port, "eval", "other_app_", ["bookings"], "x", { type: "create", id: 2, specialist_id: 3, workpoint_id: 1 });
    await laravelBroadcast(redis.port, "eval", PREFIX, ["bookings"], "x", { type: "create", id: 3, specialist_id: 3, workpoint_id: 1 });
    await admin.waitForEvents(1);
    await sleep(100);
    expect(events(admin).map((e) => (e.data as { data: { id: number } }).data.id)).toEqual([3]);
  });
});

describe("the laravel option, checked before anything connects", () => {
  const authenticate = () => null;
  it("needs a Redis broker", async () => {
    const { createBookingHub } = await import("../src/index.js");
    expect(() => createBookingHub({ authenticate, broker: memoryBroker(), laravel: { channels: PATTERN } })).toThrow(
      new HubError("invalid_options", "the memory broker cannot subscribe to Laravel's channels: use ioredisBroker or nodeRedisBroker on the Redis Laravel broadcasts to"),
    );
  });
  it("refuses an empty pattern, one with spaces, and a map that is not a function", async () => {
    const { createBookingHub } = await import("../src/index.js");
    const broker = { ...memoryBroker(), subscribePattern: async () => async () => {} };
    for (const laravel of [{ channels: "" }, { channels: "a b*" }, { channels: PATTERN, map: "no" }] as unknown as LaravelOptions[]) {
      expect(() => createBookingHub({ authenticate, broker, laravel })).toThrow(/laravel\.(channels|map) must be/);
    }
  });
});
