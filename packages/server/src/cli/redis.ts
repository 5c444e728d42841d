import type { Redis } from "ioredis";
import { checkRedisUrl as checkUrl } from "../brokers/redis-client.js";
import { UsageError } from "./args.js";

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

/**
 * Checks a `--redis` URL before anything connects, with the factory's own check, so a bare
 * `127.0.0.1:6379` is told to write `redis://127.0.0.1:6379`. @internal
 */
export function checkRedisUrl(raw: string): string {
  try {
    return checkUrl(raw);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^a Redis URL starts with/, "--redis must start with").replace(/^a Redis URL looks like/, "--redis must look like"));
  }
}

/**
 * Logs one line when Redis is lost and one when it is back, never one per reconnection attempt.
 * @internal
 */
export function logOutages(client: Redis, url: string, log: { warn(message: string): void; info(message: string): void }): void {
  let down = false;
  const failed = (reason: string): void => {
    if (down) return;
    down = true;
    log.warn(`[realtime-bookings] Redis at ${redactUrl(url)} failed: ${reason}; reconnecting`);
  };
  client.on("error", (error: Error) => failed(error.message));
  // A connection that closes without an error (Redis stopped) is an outage too, said at once.
  client.on("close", () => failed("the connection closed"));
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log.info(`[realtime-bookings] Redis at ${redactUrl(url)} is back`);
  });
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

/** A Redis connection (a client or a Cluster) the CLI closes on the way out. @internal */
export interface Closable {
  quit(): Promise<unknown>;
  disconnect(): void;
  removeAllListeners(event?: string): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** Closes a client politely, then by force after `ms`; the closing is not logged as an outage. @internal */
export async function quitWithin(client: Closable, ms: number): Promise<void> {
  client.removeAllListeners("close");
  client.removeAllListeners("error");
  client.on("error", () => {});
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
