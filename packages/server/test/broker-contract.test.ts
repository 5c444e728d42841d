import { type EventId, PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { sleep } from "@realtime-bookings/test-utils";
import { describe, expect, it } from "vitest";
import type { Broker, BrokerListener } from "../src/index.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";

const { kits, redis } = brokerKits();

const event = (id: number) => JSON.stringify({ type: "create", data: { id, specialist_id: 3, workpoint_id: 1 } });

function recorder(): BrokerListener & { messages: string[]; ready: number; down: number; waitFor(n: number): Promise<void> } {
  const rec = {
    messages: [] as string[],
    ready: 0,
    down: 0,
    onMessage(text: string) {
      rec.messages.push(text);
    },
    onReady() {
      rec.ready += 1;
    },
    onDown() {
      rec.down += 1;
    },
    async waitFor(n: number) {
      for (let i = 0; i < 200 && rec.messages.length < n; i++) await sleep(10);
      expect(rec.messages.length).toBe(n);
    },
  };
  return rec;
}

describe.each(kits)("broker contract: $name", (kit) => {
  const make = async (historyLength?: number): Promise<Broker> =>
    kit.create(historyLength === undefined ? { prefix: uniquePrefix() } : { prefix: uniquePrefix(), historyLength });

  it("publishes atomically: ids increase, versions bump per key, subscribers get the event with its id", async () => {
    const broker = await make();
    const rec = recorder();
    await broker.subscribe(rec);
    await sleep(5);
    expect(rec.ready).toBe(1);
    const k = broker.keys;
    const a = await broker.publish(event(1), [k.globalVersion, `${k.globalVersion}:a`]);
    const b = await broker.publish(event(2), [k.globalVersion]);
    expect(a < b || a.length < b.length).toBe(true);
    expect(await broker.readVersion(k.globalVersion)).toBe(2);
    expect(await broker.readVersion(`${k.globalVersion}:a`)).toBe(1);
    expect(await broker.readVersion(`${k.globalVersion}:never`)).toBe(0);
    await rec.waitFor(2);
    expect(JSON.parse(rec.messages[0] as string)).toEqual({ id: a, ...JSON.parse(event(1)) });
    expect(await broker.newestId()).toBe(b);
    await broker.close();
  });

  it("reads history after an id, bounded, and says gap, lost or truncated honestly", async () => {
    const broker = await make(5);
    expect(await broker.readHistory("1-0" as EventId, 10)).toEqual({ status: "lost" });
    const ids: EventId[] = [];
    for (let i = 0; i < 3; i++) ids.push(await broker.publish(event(i), []));
    expect(await broker.readHistory(ids[0] as EventId, 10)).toEqual({
      status: "ok",
      truncated: false,
      entries: [
        { id: ids[1], json: event(1) },
        { id: ids[2], json: event(2) },
      ],
    });
    expect(await broker.readHistory(ids[0] as EventId, 1)).toMatchObject({ status: "ok", truncated: true, entries: [{ id: ids[1] }] });
    expect(await broker.readHistory(ids[2] as EventId, 10)).toEqual({ status: "ok", truncated: false, entries: [] });
    expect(await broker.readHistory("1-0" as EventId, 10)).toEqual({ status: "gap" });
    // Past the history length the oldest ids are trimmed (Redis trims approximately, in whole nodes).
    for (let i = 0; i < 300; i++) ids.push(await broker.publish(event(i), []));
    expect(await broker.readHistory(ids[0] as EventId, 1000)).toEqual({ status: "gap" });
    await broker.close();
  });

  it("allows one subscription per broker", async () => {
    const broker = await make();
    await broker.subscribe(recorder());
    await expect(broker.subscribe(recorder())).rejects.toMatchObject({ code: "invalid_options" });
    await broker.close();
  });

});

describe.each(kits.filter((k) => k.redis))("redis broker contract: $name", (kit) => {
  it("delivers a legacy bare PUBLISH without an id", async () => {
    const prefix = uniquePrefix();
    const broker = await kit.create({ prefix, channel: `${prefix}:updates` } as never);
    const rec = recorder();
    await broker.subscribe(rec);
    await redis()?.cli("PUBLISH", `${prefix}:updates`, '{"type":"test","data":{"test":true}}');
    await rec.waitFor(1);
    expect(rec.messages).toEqual(['{"type":"test","data":{"test":true}}']);
    await broker.close();
  });

  it("subscribePattern hears every channel matching the pattern, with its name, until unsubscribed", async () => {
    const prefix = uniquePrefix();
    const broker = await kit.create({ prefix });
    const heard: Array<[string, string]> = [];
    const unsubscribe = await broker.subscribePattern?.(`${prefix}_*bookings*`, (channel, text) => heard.push([channel, text]));
    expect(typeof unsubscribe).toBe("function");
    // Both Laravel forms: one EVAL publishing on several channels, and a plain PUBLISH.
    await redis()?.cli("EVAL", "for i = 2, #ARGV do redis.call('publish', ARGV[i], ARGV[1]) end", "0", "m1", `${prefix}_private-bookings.3`, `${prefix}_orders`, `${prefix}_bookings`);
    await redis()?.cli("PUBLISH", `other_${prefix}_bookings`, "m2");
    await redis()?.cli("PUBLISH", `${prefix}_bookings.4`, "m3");
    for (let i = 0; i < 200 && heard.length < 3; i++) await sleep(10);
    expect(heard).toEqual([
      [`${prefix}_private-bookings.3`, "m1"],
      [`${prefix}_bookings`, "m1"],
      [`${prefix}_bookings.4`, "m3"],
    ]);
    await unsubscribe?.();
    await redis()?.cli("PUBLISH", `${prefix}_bookings`, "m4");
    await sleep(100);
    expect(heard).toHaveLength(3);
    await broker.close();
  });

  it("the publish script from the protocol is what the broker runs (a PHP publisher can use it)", async () => {
    const prefix = uniquePrefix();
    const broker = await kit.create({ prefix });
    const rec = recorder();
    await broker.subscribe(rec);
    const keys = redisKeys({ prefix });
    const id = (await redis()?.cli("EVAL", PUBLISH_SCRIPT, "2", keys.history, keys.globalVersion, keys.channel, "1000", event(7)))?.trim();
    await rec.waitFor(1);
    expect(JSON.parse(rec.messages[0] as string)).toEqual({ id, ...JSON.parse(event(7)) });
    expect(await broker.readVersion(keys.globalVersion)).toBe(1);
    expect((await redis()?.cli("EVAL", PUBLISH_SCRIPT, "1", keys.history, keys.channel, "1000", "[]"))?.trim()).toMatch(/JSON object/);
    await broker.close();
  });
});

describe.runIf(kits.some((k) => k.redis))("createRedisClient", () => {
  it("connects with the original system's settings or a URL, and refuses bad settings with a typed error", async () => {
    const { createRedisClient } = await import("../src/brokers/ioredis.js");
    const url = new URL(redis()?.url ?? process.env["REDIS_URL"] ?? "");
    const bySettings = createRedisClient({ host: url.hostname, port: Number(url.port), timeout: 2.0, database: 3, password: null });
    await bySettings.set("rb:db-check", "3");
    const byUrl = createRedisClient({ url: `redis://${url.host}/3` });
    expect(await byUrl.get("rb:db-check")).toBe("3"); // same database 3
    await Promise.all([bySettings.quit(), byUrl.quit()]);
    for (const bad of [{ url: "http://127.0.0.1:6379" }, { port: 70000 }, { database: -1 }, { timeout: 0 }]) {
      expect(() => createRedisClient(bad)).toThrowError(expect.objectContaining({ code: "invalid_options" }));
    }
  });
  it("fails a command within its timeout when Redis is unreachable, without crashing", async () => {
    const { createRedisClient } = await import("../src/brokers/ioredis.js");
    const client = createRedisClient({ host: "127.0.0.1", port: 1, timeout: 0.3 });
    const started = Date.now();
    await expect(client.ping()).rejects.toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5000);
    client.disconnect();
  });
});
