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
  readonly url?: string;
  /** @defaultValue `"127.0.0.1"` */
  readonly host?: string;
  /** @defaultValue 6379 */
  readonly port?: number;
  /**
   * Seconds a connection attempt and a command may take, as in the original system.
   * @defaultValue 2.0
   */
  readonly timeout?: number;
  /** @defaultValue 0 */
  readonly database?: number;
  /** `null` or absent for no authentication. */
  readonly password?: string | null;
  /** An ACL user name (Redis 6+). */
  readonly username?: string;
}

/**
 * Creates an ioredis client with explicit, bounded behaviour for a hub: connection attempts and
 * commands time out after `timeout` seconds, a command fails after one reconnection attempt instead
 * of waiting in an unbounded offline queue, reconnection backs off with jitter up to 5 s, and an
 * `error` listener is attached, so an outage is reported, never a crash.
 *
 * @param settings - see {@link RedisSettings}; or {@link SentinelSettings} (`sentinels`, `name`) for a
 *   client that follows the master of a Sentinel set (see `createSentinelClient`)
 * @throws `HubError` with code `invalid_options` for a URL that is not `redis:` or `rediss:`, or a setting out of range
 * @example
 * ```ts
 * import { createRedisClient, ioredisBroker } from "@realtime-bookings/server/ioredis";
 * const broker = ioredisBroker(createRedisClient({ host: "127.0.0.1", port: 6379, timeout: 2.0, database: 0, password: null }));
 * ```
 */
export function createRedisClient(settings: RedisSettings | SentinelSettings = {}): Redis {
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
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000) * (0.5 + Math.random() / 2),
    ...(settings.host === undefined ? {} : { host: settings.host }),
    ...(settings.port === undefined ? {} : { port: settings.port }),
    ...(settings.database === undefined ? {} : { db: settings.database }),
    ...(settings.password == null ? {} : { password: settings.password }),
    ...(settings.username === undefined ? {} : { username: settings.username }),
  };
  let client: Redis;
  if (settings.url !== undefined) {
    let protocol: string;
    try {
      protocol = new URL(settings.url).protocol;
    } catch {
      throw new HubError("invalid_options", "url must be a URL such as redis://127.0.0.1:6379");
    }
    if (protocol !== "redis:" && protocol !== "rediss:") throw new HubError("invalid_options", `url must start with redis:// or rediss://, got ${protocol}//`);
    client = new Redis(settings.url, options);
  } else {
    client = new Redis(options);
  }
  client.on("error", () => {}); // reported through the hub's broker state and health, never thrown
  return client;
}
