import { Redis, type RedisOptions } from "ioredis";
import { HubError } from "../errors.js";
import { type SentinelSettings, createSentinelClient } from "./topology.js";

/**
 * How to reach Redis: the settings the original system's `redis_config.php` names (`host`, `port`,
 * `timeout`, `database`, `password`), or a `redis://` / `rediss://` (TLS) URL. Settings given beside
 * a URL override its parts.
 */
export interface RedisSettings {
  /** `redis://[user:password@]host:port[/database]`, or `rediss://…` for TLS. */
  readonly url?: string | undefined;
  /** @defaultValue `"127.0.0.1"` */
  readonly host?: string | undefined;
  /** @defaultValue 6379 */
  readonly port?: number | undefined;
  /**
   * Seconds a connection attempt and a command may take, as in the original system.
   * @defaultValue 2.0
   */
  readonly timeout?: number | undefined;
  /** @defaultValue 0 */
  readonly database?: number | undefined;
  /** `null` or absent for no authentication. */
  readonly password?: string | null | undefined;
  /** An ACL user name (Redis 6+). */
  readonly username?: string | undefined;
}

/** How a client made by {@link createRedisClient} behaves beyond where Redis is. */
export interface RedisClientOptions {
  /**
   * Connect only on the first command or an explicit `connect()` (a one-shot publisher that wants
   * the connection error from `await client.connect()`).
   * @defaultValue false
   */
  readonly lazyConnect?: boolean;
  /**
   * Reconnect after a lost connection, with backoff and jitter up to 5 s, for as long as it takes
   * (a hub). `false` for a one-shot command that should fail instead.
   * @defaultValue true
   */
  readonly reconnect?: boolean;
}

/**
 * Creates the ioredis client every part of this package uses (the library, `realtime-bookings serve`
 * and `publish`), with each behaviour chosen on purpose:
 *
 * - `connectTimeout` and `commandTimeout` are `timeout` seconds: nothing waits longer for Redis;
 * - **no offline queue once connected** (`enableOfflineQueue` turns `false` at the first `ready`;
 *   before it, commands wait for the first connection, and a failed first attempt rejects them all),
 *   `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command issued while
 *   Redis is away fails at once and is never sent later. A publish that reported failure is therefore never delivered behind the
 *   caller's back, so an app that retries it does not deliver it twice. (A publish that timed out
 *   while Redis was connected but stalled may still run when Redis wakes: no client can take back
 *   bytes Redis has received. Its error is `broker_timeout`, "outcome unknown", not "not published".)
 * - reconnection backs off with jitter up to 5 s and never gives up (unless `reconnect: false`);
 *   the subscriber connection `ioredisBroker` derives from this client keeps its own offline queue
 *   and waits for Redis however long it is away;
 * - an `error` listener is attached, so an outage is reported through the hub's health, never a crash.
 *
 * @param settings - where Redis is; see {@link RedisSettings}; or {@link SentinelSettings} (`sentinels`, `name`)
 *   for a client that follows the master of a Sentinel set (see `createSentinelClient`)
 * @param clientOptions - laziness and reconnection; see {@link RedisClientOptions}
 * @throws `HubError` with code `invalid_options` for a URL that is not `redis:` or `rediss:`, or a setting out of range
 * @example
 * ```ts
 * import { createRedisClient, ioredisBroker } from "@realtime-bookings/server/ioredis";
 * const broker = ioredisBroker(createRedisClient({ url: process.env.REDIS_URL }));
 * // or with the original system's settings:
 * const broker2 = ioredisBroker(createRedisClient({ host: "127.0.0.1", port: 6379, timeout: 2.0, database: 0, password: null }));
 * ```
 */
export function createRedisClient(settings: RedisSettings | SentinelSettings = {}, clientOptions: RedisClientOptions = {}): Redis {
  if ("sentinels" in settings) return createSentinelClient(settings); // Redis Sentinel: follows the master
  const timeoutMs = Math.round((settings.timeout ?? 2) * 1000);
  if (!(timeoutMs >= 1 && timeoutMs <= 600_000)) throw new HubError("invalid_options", "timeout must be between 0.001 and 600 seconds");
  if (settings.port !== undefined && !(Number.isInteger(settings.port) && settings.port > 0 && settings.port < 65536)) {
    throw new HubError("invalid_options", `port must be 1-65535, got ${settings.port}`);
  }
  if (settings.database !== undefined && !(Number.isInteger(settings.database) && settings.database >= 0)) {
    throw new HubError("invalid_options", `database must be a non-negative integer, got ${settings.database}`);
  }
  const options: RedisOptions = {
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: true, // until the first "ready", below
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // No CLIENT SETINFO before the ready check: against a stalled Redis each would wait a full
    // timeout first (a one-shot publish took 9 s to fail instead of 3).
    disableClientInfo: true,
    lazyConnect: clientOptions.lazyConnect ?? false,
    retryStrategy: clientOptions.reconnect === false ? () => null : (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000) * (0.5 + Math.random() / 2),
    ...(settings.host === undefined ? {} : { host: settings.host }),
    ...(settings.port === undefined ? {} : { port: settings.port }),
    ...(settings.database === undefined ? {} : { db: settings.database }),
    ...(settings.password == null ? {} : { password: settings.password }),
    ...(settings.username === undefined ? {} : { username: settings.username }),
  };
  let client: Redis;
  if (settings.url !== undefined) {
    client = new Redis(checkRedisUrl(settings.url), options);
  } else {
    client = new Redis(options);
  }
  client.on("error", () => {}); // reported through the hub's broker state and health, never thrown
  // Commands given before the first connection wait for it (and fail with it); after that, a command
  // given while Redis is away fails at once instead of being sent after its caller gave up on it.
  client.once("ready", () => {
    client.options.enableOfflineQueue = false;
  });
  return client;
}

/**
 * Checks a Redis URL: `redis://` or `rediss://` (TLS). A bare `host:port` gets an error that says
 * what to write instead (`redis://host:port`), and a password never appears in the message.
 *
 * @param raw - the URL as given
 * @returns the URL, unchanged
 * @throws `HubError` `invalid_options`
 * @internal
 */
export function checkRedisUrl(raw: string): string {
  const bare = /^[A-Za-z0-9.[\]:-]+:\d+(\/\d+)?$/.test(raw) || /^(localhost|[\d.]+)$/.test(raw);
  if (bare) throw new HubError("invalid_options", `a Redis URL starts with redis:// (or rediss:// for TLS): write redis://${raw}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubError("invalid_options", "a Redis URL looks like redis://127.0.0.1:6379 (or rediss://… for TLS)");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new HubError("invalid_options", `a Redis URL starts with redis:// or rediss:// (TLS), not ${url.protocol}//`);
  }
  return raw;
}
