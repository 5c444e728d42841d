import { type Broker, type HubLogger, memoryBroker } from "@realtime-bookings/server";
import type { AppConfig } from "../config.js";

/** The broker the hub runs on, and how to let go of what it opened. */
export interface OpenedBroker {
  readonly broker: Broker;
  /** `in-memory` or the Redis URL without its password. */
  readonly description: string;
  /** Closes the app's Redis client (the hub closes its own subscription). */
  close(): Promise<void>;
}

const redact = (url: string): string => url.replace(/\/\/([^@/]*)@/, "//***@");

/**
 * The in-memory broker (one process), or Redis when `REDIS_URL` is set, so several instances push to
 * each other's browsers. ioredis is loaded only then. Its commands fail after two retries instead of
 * queueing forever while Redis is down; the hub bounds each call at 2 s anyway.
 */
export async function openBroker(config: Pick<AppConfig, "redisUrl" | "redisPrefix">, logger: HubLogger): Promise<OpenedBroker> {
  if (!config.redisUrl) return { broker: memoryBroker(), description: "in-memory", close: async () => {} };
  const [{ Redis }, { ioredisBroker }] = await Promise.all([import("ioredis"), import("@realtime-bookings/server/ioredis")]);
  const client = new Redis(config.redisUrl, { maxRetriesPerRequest: 2, connectTimeout: 5000, lazyConnect: true });
  // Before the first connection, a failure is reported by connect() below; after it, once per outage.
  let reported = true;
  client.on("error", (error: Error) => {
    if (!reported) logger.warn(`[booking-app] Redis at ${redact(config.redisUrl ?? "")}: ${error.message} (retrying; logged once until it is back)`);
    reported = true;
  });
  client.on("ready", () => (reported = false));
  try {
    await client.connect();
    reported = false;
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redact(config.redisUrl)}: ${(error as Error).message}`, { cause: error });
  }
  const options = config.redisPrefix ? { prefix: config.redisPrefix } : {};
  return {
    broker: ioredisBroker(client, options),
    description: `Redis ${redact(config.redisUrl)}`,
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}
