import { PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits, redis, url } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const booking = (id: number) => ({ type: "create" as const, data: { id, specialist_id: 3, workpoint_id: 1 } });
const ids = (reader: SseReader) => reader.events.map((e) => (e.event === "booking" ? JSON.parse(e.data).data.id : e.event));
const quiet = { warn() {}, error() {} };

describe.each(kits.filter((k) => k.redis))("hub on Redis faults: $name", (kit) => {
  const start = async (prefix: string): Promise<HubServer> => {
    const server = await startHubServer(await kit.create({ prefix }), { logger: quiet });
    open.push(server);
    return server;
  };

  it("recovers events published while its subscription was cut, from the history, with no resync", async () => {
    const prefix = uniquePrefix();
    const server = await start(prefix);
    const reader = await openSse(server.streamUrl("spec-3"));
    open.push(reader);
    await server.hub.publish(booking(1));
    await reader.waitForEvents(1);
    // Cut every pub/sub connection and publish in the same transaction: Redis runs the publishes
    // before any client can reconnect (node-redis reconnects within a millisecond).
    const admin = new Redis(url());
    const keys = redisKeys({ prefix });
    const tx = admin.multi().call("CLIENT", "KILL", "TYPE", "pubsub");
    for (let i = 2; i <= 6; i++) tx.eval(PUBLISH_SCRIPT, 2, keys.history, keys.globalVersion, keys.channel, "1000", JSON.stringify(booking(i)));
    await tx.exec();
    await admin.quit();
    await reader.waitForEvents(6, 8000);
    await sleep(100);
    expect(ids(reader)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(server.hub.stats().resyncs).toBe(0);
    expect(server.hub.stats().eventsRecovered).toBeGreaterThan(0); // the gap really was read back
  });

  it("after a Redis restart that lost the history, resubscribes, sends one resync and delivers live again", async () => {
    const prefix = uniquePrefix();
    const server = await start(prefix);
    const reader = await openSse(server.streamUrl("spec-3"));
    open.push(reader);
    await server.hub.publish(booking(1));
    await reader.waitForEvents(1);
    const r = redis();
    if (!r) throw new Error("needs an owned redis-server");
    await r.stop();
    await sleep(200);
    await r.start();
    for (let i = 0; i < 100 && !server.hub.stats().brokerUp; i++) await sleep(50);
    await reader.waitForEvents(2, 8000);
    await server.hub.publish(booking(2));
    await reader.waitForEvents(3, 8000);
    expect(ids(reader)).toEqual([1, "resync", 2]);
    expect(reader.events[1]?.data).toBe('{"reason":"history_lost"}');
  });
});

// An app's node-redis client cannot even connect while Redis is down; ioredis (the CLI's) can start.
describe.each(kits.filter((k) => k.name === "ioredis"))("hub started while Redis is down: $name", (kit) => {
  it("subscribes once Redis comes up when the hub started while Redis was down, and delivers", async () => {
    const r = redis();
    if (!r) throw new Error("needs an owned redis-server");
    await r.stop();
    try {
      const prefix = uniquePrefix();
      const server = await startHubServer(await kit.create({ prefix }), { logger: quiet });
      open.push(server);
      const refused = await fetch(server.streamUrl("spec-3"));
      expect(refused.status).toBe(503); // not yet subscribed: no stream that would silently miss events
      await r.start();
      for (let i = 0; i < 200 && !server.hub.stats().brokerUp; i++) await sleep(50);
      const reader = await openSse(server.streamUrl("spec-3"));
      open.push(reader);
      expect(reader.status).toBe(200);
      await server.hub.publish(booking(1));
      await reader.waitForEvents(1, 8000);
      expect(ids(reader)).toEqual([1]);
    } finally {
      if ((await r.cli("PING").catch(() => "")).trim() !== "PONG") await r.start().catch(() => undefined);
    }
  });

});
