import { PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { sleep } from "@realtime-bookings/test-utils";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { brokerContract, event, recorder } from "./support/broker-contract.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";

const { kits, redis } = brokerKits();

brokerContract(kits);

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

  it("runs the script through the client's own script support: after SCRIPT FLUSH it is sent again, and a script error reply comes out as the error", async () => {
    const broker = await kit.create({ prefix: uniquePrefix() });
    const k = broker.keys;
    const before = await broker.publish(event(1), [k.globalVersion]);
    await redis()?.cli("SCRIPT", "FLUSH");
    const after = await broker.publish(event(2), [k.globalVersion]);
    await redis()?.cli("SCRIPT", "FLUSH");
    const once = await broker.publishIdempotent?.(event(3), [k.globalVersion], "after-flush");
    const refusal = await broker.publish("[1]", [k.globalVersion]).then(
      () => "published",
      (error: Error) => error.message,
    );
    expect({ increasing: before < after, once: once?.replayed, refusal, version: await broker.readVersion(k.globalVersion) }).toEqual({
      increasing: true,
      once: false,
      refusal: expect.stringMatching(/realtime-bookings: the event must be a JSON object with fields/),
      version: 3,
    });
    await broker.close();
  });

  it("an idempotent publish keeps its record under the key's SHA-256 for 24 h, and a raw EVAL with the documented call shape replays it", async () => {
    const prefix = uniquePrefix();
    const broker = await kit.create({ prefix });
    const keys = redisKeys({ prefix });
    const first = await broker.publishIdempotent?.(event(4), [keys.globalVersion], "retry-me");
    const record = `${prefix}:idempotency:${createHash("sha256").update("retry-me").digest("hex")}`;
    const pttl = Number(await redis()?.cli("PTTL", record));
    // What a PHP or any other publisher sends: the record as the last key, the window as ARGV[4].
    const raw = (await redis()?.cli("EVAL", PUBLISH_SCRIPT, "3", keys.history, keys.globalVersion, record, keys.channel, "1000", event(4), "86400000"))?.trim().split("\n");
    const bad = (await redis()?.cli("EVAL", PUBLISH_SCRIPT, "3", keys.history, keys.globalVersion, record, keys.channel, "1000", event(4), "1.5"))?.trim();
    expect({ pttlOver23h: pttl > 23 * 3_600_000 && pttl <= 86_400_000, raw, bad, newest: await broker.newestId(), version: await broker.readVersion(keys.globalVersion) }).toEqual({
      pttlOver23h: true,
      raw: [first?.id, "1"],
      bad: expect.stringMatching(/ARGV\[4\] is the window in milliseconds/),
      newest: first?.id,
      version: 1,
    });
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
