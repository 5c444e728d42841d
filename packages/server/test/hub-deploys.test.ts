// Issue 14, the library's part: deploys and credentials without a blip.
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { type Broker, createBookingHub } from "../src/index.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const booking = (id: number, specialist = 3) => ({ type: "create" as const, data: { id, specialist_id: specialist, workpoint_id: 1 } });
const ids = (reader: SseReader) => reader.events.map((e) => (e.event === "booking" ? JSON.parse(e.data).data.id : e.event));
const quiet = { warn() {}, error() {} };
const waitFor = async (check: () => boolean, ms = 5_000) => {
  for (const until = Date.now() + ms; !check() && Date.now() < until; ) await sleep(10);
};

describe.each(kits.filter((k) => k.redis))("a restarted hub: $name", (kit) => {
  it("seeds its resume points and recent history from Redis: a viewer gets a real resume point, and resumes from memory without a resync", async () => {
    const prefix = uniquePrefix();
    const before = await startHubServer(await kit.create({ prefix }), { logger: quiet });
    const mine = await before.hub.publish(booking(1, 3));
    await before.hub.publish(booking(2, 5));
    await before.close(); // the deploy

    let historyReads = 0;
    const inner = await kit.create({ prefix });
    const counting: Broker = { ...inner, readHistory: (after, limit) => ((historyReads += 1), inner.readHistory(after, limit)) };
    const after = await startHubServer(counting, { logger: quiet });
    open.push(after);
    const fresh = await openSse(after.streamUrl("spec-3"));
    open.push(fresh);
    await waitFor(() => fresh.ready.length > 0);
    const readsBefore = historyReads;
    const resumed = await openSse(after.streamUrl("spec-3"), { "Last-Event-ID": mine.id });
    open.push(resumed);
    await waitFor(() => resumed.ready.length > 0);
    await after.hub.publish(booking(3, 3));
    await resumed.waitForEvents(1);
    expect({
      readyId: fresh.ready[0]?.id,
      resumed: ids(resumed),
      resumeReadRedis: historyReads - readsBefore > 1, // the feed's own read of event 3 is the one allowed
      resyncs: after.hub.stats().resyncs,
    }).toEqual({ readyId: mine.id, resumed: [3], resumeReadRedis: false, resyncs: 0 });
  });
});

describe("hub.drain()", () => {
  const start = async (options = {}): Promise<HubServer> => {
    const server = await startHubServer((await kits[0]?.create({ prefix: uniquePrefix() })) as Broker, { logger: quiet, ...options });
    open.push(server);
    return server;
  };

  it("refuses new streams with 503 draining and a jittered Retry-After, tells each open stream when to come back, and ends them spread over the window", async () => {
    const server = await start({ retryMs: 1_000 });
    const readers: SseReader[] = [];
    for (let i = 0; i < 20; i++) readers.push(await openSse(server.streamUrl(`spec-${i}`)));
    open.push(...readers);
    for (const reader of readers) await waitFor(() => reader.ready.length > 0);
    const ended = new Map<SseReader, number>();
    const started = Date.now();
    const watching = setInterval(() => {
      for (const r of readers) if (!ended.has(r) && r.raw().match(/retry: \d+\n\n$/)) ended.set(r, Date.now() - started);
    }, 5);
    const drained = server.hub.drain(1_000);
    await sleep(100);
    const refused = await Promise.all(Array.from({ length: 10 }, () => fetch(server.streamUrl("spec-99"))));
    const version = await fetch(server.versionUrl("spec-1"));
    await drained;
    await sleep(20);
    clearInterval(watching);
    const times = [...ended.values()].sort((a, b) => a - b);
    expect({
      refused: refused.map((r) => r.status),
      reason: ((await refused[0]?.json()) as { error: string }).error,
      retryAfters: new Set(refused.map((r) => r.headers.get("retry-after"))).size > 1,
      version: version.status,
      told: readers.filter((r) => /retry: (\d{4})\n\n$/.test(r.raw())).length,
      spread: (times.at(-1) ?? 0) - (times[0] ?? 0) > 500,
      drained: server.hub.stats().streamsDrained,
    }).toEqual({
      refused: Array(10).fill(503),
      reason: "draining",
      retryAfters: true,
      version: 200,
      told: 20,
      spread: true,
      drained: 20,
    });
    expect((await server.hub.health()).connections).toBe(0);
  });
});

describe("credential rotation and overload answers", () => {
  it("sends event: reauth before the credentials expire, then ends the stream at the expiry", async () => {
    const expiresAt = Date.now() + 1_500;
    const hub = createBookingHub({ authenticate: () => ({ viewer: { role: "admin" }, key: "a", expiresAt }), reauthLeadMs: 1_000, logger: quiet });
    const response = await hub.events.fetch(new Request("http://hub/events"));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const seen: Array<[string, number]> = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes("event: reauth") && !seen.some(([what]) => what === "reauth")) seen.push(["reauth", Date.now() - expiresAt]);
    }
    seen.push(["ended", Date.now() - expiresAt]);
    await hub.close();
    expect({
      reauth: text.match(/event: reauth\ndata: (.*)\n/)?.[1],
      order: seen.map(([what]) => what),
      reauthEarly: (seen[0]?.[1] ?? 0) < -500,
      endedAtExpiry: (seen[1]?.[1] ?? -1000) >= -50,
      reauths: hub.stats().reauths,
    }).toEqual({ reauth: JSON.stringify({ expiresAt }), order: ["reauth", "ended"], reauthEarly: true, endedAtExpiry: true, reauths: 1 });
  });

  it("spreads refused clients: 429s at a cap carry different Retry-After values", async () => {
    const hub = createBookingHub({ authenticate: () => ({ role: "admin" }), maxConnections: 1, logger: quiet });
    const first = await hub.events.fetch(new Request("http://hub/events"));
    const refused = await Promise.all(Array.from({ length: 30 }, () => hub.events.fetch(new Request("http://hub/events"))));
    await first.body?.cancel();
    await hub.close();
    const values = refused.map((r) => Number(r.headers.get("retry-after")));
    expect({ statuses: new Set(refused.map((r) => r.status)), distinct: new Set(values).size > 1, inRange: values.every((v) => v >= 1 && v <= 3) }).toEqual({
      statuses: new Set([429]),
      distinct: true,
      inRange: true,
    });
  });

  it("records each event's publish → write lag once, in a histogram", async () => {
    const hub = createBookingHub({ authenticate: () => ({ role: "admin" }), logger: quiet });
    const response = await hub.events.fetch(new Request("http://hub/events"));
    for (let i = 1; i <= 3; i++) await hub.publish(booking(i));
    await sleep(50);
    await response.body?.cancel();
    const { deliveryLag } = hub.stats();
    await hub.close();
    expect({ count: deliveryLag.count, allUnderTenSeconds: deliveryLag.counts.at(-2) }).toEqual({ count: 3, allUnderTenSeconds: 3 });
  });
});
