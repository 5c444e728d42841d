import { type RedisServer, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { afterAll, beforeAll } from "vitest";
import { type Broker, memoryBroker } from "../../src/index.js";
import { ioredisBroker } from "../../src/brokers/ioredis.js";
import { nodeRedisBroker } from "../../src/brokers/node-redis.js";

/** Options every kit passes to its broker. */
export interface KitOptions {
  readonly prefix: string;
  readonly historyLength?: number;
  /** The idempotency window (default 24 h). */
  readonly idempotencyWindowMs?: number;
}

/** One broker implementation the shared suites run against. */
export interface BrokerKit {
  readonly name: string;
  /** Whether it talks to a real redis-server. */
  readonly redis: boolean;
  /** Makes a broker; its app-side client is closed by {@link BrokerKit.cleanup}. */
  create(options: KitOptions): Promise<Broker>;
  /** Closes every app-side client this kit opened. */
  cleanup(): Promise<void>;
}

let prefixCounter = 0;
/** A key prefix no other test uses, so suites can share one redis-server. */
export const uniquePrefix = (): string => `t${process.pid}x${++prefixCounter}x${Math.floor(Math.random() * 1e6)}`;

/**
 * The broker kits, with one redis-server for the whole file (started in `beforeAll` when
 * redis-server exists; `REDIS_URL` overrides). Without redis-server the Redis kits are absent and a
 * loud notice names the install command (in CI that fails instead).
 */
export function brokerKits(): { kits: BrokerKit[]; redis: () => RedisServer | undefined; url: () => string } {
  const available = hasRedisServer();
  let server: RedisServer | undefined;
  let url = process.env["REDIS_URL"] ?? "";
  const clients: Array<{ close(): Promise<unknown> }> = [];

  beforeAll(async () => {
    if (available && !process.env["REDIS_URL"]) {
      server = await startRedisServer();
      url = server.url;
    }
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    await server?.stop();
  });

  const memory: BrokerKit = {
    name: "memory",
    redis: false,
    async create(options) {
      return memoryBroker(options);
    },
    async cleanup() {},
  };
  const ioredis: BrokerKit = {
    name: "ioredis",
    redis: true,
    async create(options) {
      const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (n) => 150 + Math.min(n * 50, 500) });
      client.on("error", () => {});
      clients.push({ close: async () => client.disconnect() }); // immediate: it may be mid-reconnect
      return ioredisBroker(client, options);
    },
    async cleanup() {},
  };
  const nodeRedis: BrokerKit = {
    name: "node-redis",
    redis: true,
    async create(options) {
      const client = createClient({ url, socket: { reconnectStrategy: (n: number) => 150 + Math.min(n * 50, 500) } });
      client.on("error", () => {});
      await client.connect();
      clients.push({ close: async () => client.destroy() }); // immediate: it may be mid-reconnect
      return nodeRedisBroker(client, options);
    },
    async cleanup() {},
  };
  return { kits: available || process.env["REDIS_URL"] ? [memory, ioredis, nodeRedis] : [memory], redis: () => server, url: () => url };
}
