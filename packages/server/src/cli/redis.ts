import type { Redis } from "ioredis";
import { RunError, UsageError } from "./args.js";

type RedisClass = typeof Redis;

/**
 * Loads ioredis, an optional peer dependency of the library that the Redis mode of the CLI needs.
 * @internal
 */
export async function loadIoredis(): Promise<RedisClass> {
  try {
    return (await import("ioredis")).Redis;
  } catch {
    throw new RunError("--redis needs the ioredis package: npm install ioredis (next to @realtime-bookings/server)");
  }
}

/** The URL with its password hidden, for logs. @internal */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = "***";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "(unparsable URL)";
  }
}

/** Checks a Redis URL before anything connects. @internal */
export function checkRedisUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--redis must be a URL such as redis://127.0.0.1:6379, got ${JSON.stringify(redactUrl(raw))}`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") throw new UsageError(`--redis must start with redis:// or rediss:// (TLS), got ${url.protocol}//`);
  return raw;
}

/**
 * The hub's Redis client: bounded timeouts, capped reconnection with jitter, one log line per outage.
 *
 * Commands (versions, history, pings) fail after one reconnection attempt instead of waiting in an
 * unbounded offline queue, and the hub's `brokerTimeoutMs` bounds them anyway. The subscriber
 * connection `ioredisBroker` opens with `duplicate()` sets its own options: its SUBSCRIBE waits for
 * Redis however long it takes, so a hub started while Redis is down still subscribes.
 *
 * @internal
 */
export function hubRedisClient(RedisImpl: RedisClass, url: string, log: { warn(message: string): void; info(message: string): void }): Redis {
  const client = new RedisImpl(url, {
    connectTimeout: 3_000,
    maxRetriesPerRequest: 1,
    enableReadyCheck: true,
    retryStrategy: (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 4), 1_000) + Math.floor(Math.random() * 250),
  });
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log.warn(`[realtime-bookings] Redis at ${redactUrl(url)} failed: ${error.message}; reconnecting`);
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log.info(`[realtime-bookings] Redis at ${redactUrl(url)} is back`);
  });
  return client;
}

/** Resolves once the client is ready, or after `ms`: whichever comes first. @internal */
export function readyWithin(client: Redis, ms: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean): void => {
      clearTimeout(timer);
      client.off("ready", onReady);
      resolve(ready);
    };
    const onReady = (): void => done(true);
    const timer = setTimeout(() => done(false), ms);
    client.on("ready", onReady);
  });
}

/** Closes a client politely, then by force after `ms`. @internal */
export async function quitWithin(client: Redis, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.quit().catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
  client.disconnect();
}
