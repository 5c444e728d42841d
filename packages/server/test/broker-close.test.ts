import { type RedisServer, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Broker } from "../src/index.js";
import { createRedisClient, ioredisBroker } from "../src/brokers/ioredis.js";
import { nodeRedisBroker } from "../src/brokers/node-redis.js";

const available = hasRedisServer();
let redis: RedisServer;
let pid = 0;
beforeAll(async () => {
  if (!available) return;
  redis = await startRedisServer();
  pid = Number(/process_id:(\d+)/.exec(await redis.cli("INFO", "server"))?.[1]);
});
afterAll(async () => {
  if (pid) process.kill(pid, "SIGCONT");
  await redis?.stop();
});

/** Polls `check` until it holds (bounded). */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 100) throw new Error(`${what}: not within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const listener = { onMessage() {}, onReady() {}, onDown() {} };
/** Resolves to what close() did within `ms`: "closed", or "hung". */
const closeOutcome = (broker: Broker, ms: number): Promise<string> =>
  Promise.race([broker.close().then(() => "closed"), new Promise<string>((resolve) => setTimeout(() => resolve("hung"), ms))]);

describe.runIf(available)("a broker's close() never waits for Redis for ever", () => {
  it("ioredis and node-redis close their subscriber while Redis is stopped (SIGSTOP)", async () => {
    const ioClient = createRedisClient({ url: redis.url, timeout: 0.5 });
    const nodeClient = createClient({ url: redis.url });
    nodeClient.on("error", () => {});
    await nodeClient.connect();
    const brokers = [ioredisBroker(ioClient, { prefix: "close1" }), nodeRedisBroker(nodeClient, { prefix: "close2" })];
    for (const broker of brokers) await broker.subscribe(listener);
    process.kill(pid, "SIGSTOP");
    try {
      // 5 s is far beyond the 1 s close deadline; before it, close() waited as long as Redis did.
      expect(await Promise.all(brokers.map((b) => closeOutcome(b, 5_000)))).toEqual(["closed", "closed"]);
    } finally {
      process.kill(pid, "SIGCONT");
      ioClient.disconnect();
      nodeClient.destroy();
    }
  });

  it("ioredis and node-redis close their pattern subscriptions (Laravel's channels) while Redis is stopped", async () => {
    const ioClient = createRedisClient({ url: redis.url, timeout: 0.5 });
    const nodeClient = createClient({ url: redis.url });
    nodeClient.on("error", () => {});
    await nodeClient.connect();
    const brokers = [ioredisBroker(ioClient, { prefix: "close3" }), nodeRedisBroker(nodeClient, { prefix: "close4" })];
    const clients = async () => Number(/connected_clients:(\d+)/.exec(await redis.cli("INFO", "clients"))?.[1]);
    const before = await clients();
    // One closed by its own unsubscribe, one by the broker's close().
    const unsubscribes = await Promise.all(brokers.map((b) => b.subscribePattern?.("p*", () => {})));
    await Promise.all(brokers.map((b) => b.subscribePattern?.("q*", () => {})));
    expect(await clients()).toBe(before + 4);
    await Promise.all(unsubscribes.map((u) => u?.()));
    expect(await clients()).toBe(before + 2);
    process.kill(pid, "SIGSTOP");
    try {
      expect(await Promise.all(brokers.map((b) => closeOutcome(b, 5_000)))).toEqual(["closed", "closed"]);
    } finally {
      process.kill(pid, "SIGCONT");
      ioClient.disconnect();
      nodeClient.destroy();
    }
    await until(async () => (await clients()) === before - 2, "the pattern connections are gone");
  });

  it("ioredis closes a subscriber that never connected at once", async () => {
    const client = createRedisClient({ host: "127.0.0.1", port: 1, timeout: 0.3 });
    const broker = ioredisBroker(client);
    void broker.subscribe(listener).catch(() => undefined);
    expect(await closeOutcome(broker, 5_000)).toBe("closed");
    client.disconnect();
  });
});

describe.runIf(available)("a hub closed before its subscription was made", () => {
  it("says nothing: a command that publishes once and exits prints no error (ioredis and node-redis)", async () => {
    const { createBookingHub } = await import("../src/index.js");
    const errors: unknown[][] = [];
    const logger = { warn() {}, error: (...args: unknown[]) => void errors.push(args) };
    const nodeClient = createClient({ url: redis.url });
    nodeClient.on("error", () => {});
    await nodeClient.connect();
    for (const broker of [ioredisBroker(createRedisClient({ url: redis.url }), { prefix: "close3" }), nodeRedisBroker(nodeClient, { prefix: "close4" })]) {
      const hub = createBookingHub({ broker, authenticate: () => null, logger });
      await hub.close(); // at once: the subscription is still being made
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors).toEqual([]);
  });
});
