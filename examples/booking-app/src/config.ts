import { defaultDatabasePath } from "./paths.js";

/** Everything the demo reads from its environment, parsed once. */
export interface AppConfig {
  /** `PORT`, default 3000. */
  readonly port: number;
  /** `HOST`, default 127.0.0.1: the demo signs anyone in without a password, so it stays local unless told. */
  readonly host: string;
  /** `DATABASE_PATH`, default `examples/booking-app/.data/bookings.sqlite`. */
  readonly databasePath: string;
  /** `REDIS_URL` (redis:// or rediss://): use Redis instead of the in-memory broker. */
  readonly redisUrl: string | undefined;
  /** `REDIS_PREFIX`, default `bookings`: the hub's key prefix (instances that talk share it). */
  readonly redisPrefix: string | undefined;
  /** `COOKIE_SECURE=1`: mark the session cookie `Secure` (behind HTTPS). */
  readonly cookieSecure: boolean;
  /** `SESSION_TTL_HOURS`, default 12. */
  readonly sessionTtlMs: number;
  /** What the page hands the browser SDK. */
  readonly client: ClientTuning;
  /** `DEMO_TEST_HOOKS=1`: enable `/__demo/*` (refuse SSE on demand). Demo and tests only. */
  readonly testHooks: boolean;
}

/** The browser SDK's timing, overridable for tests and demos of the fallback. */
export interface ClientTuning {
  /** `POLL_INTERVAL_MS`, default 7000 (the original system's 7 s). */
  readonly pollIntervalMs: number;
  /** `FALLBACK_AFTER`, default 3 failed connection attempts before polling. */
  readonly fallbackAfter: number;
  /** `RECONNECT_BASE_MS`, default 1000. */
  readonly reconnectBaseMs: number;
  /** `RECONNECT_MAX_MS`, default 30000. */
  readonly reconnectMaxMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

const flag = (env: Env, name: string): boolean => ["1", "true", "yes"].includes((env[name] ?? "").toLowerCase());

/**
 * Reads the configuration from environment variables.
 *
 * @throws Error naming the variable when one is malformed
 */
export function configFromEnv(env: Env = process.env): AppConfig {
  const redisUrl = env["REDIS_URL"] || undefined;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  return {
    port: integer(env, "PORT", 3000, 0, 65_535),
    host: env["HOST"] || "127.0.0.1",
    databasePath: env["DATABASE_PATH"] || defaultDatabasePath(),
    redisUrl,
    redisPrefix: env["REDIS_PREFIX"] || undefined,
    cookieSecure: flag(env, "COOKIE_SECURE"),
    sessionTtlMs: integer(env, "SESSION_TTL_HOURS", 12, 1, 24 * 90) * 3_600_000,
    testHooks: flag(env, "DEMO_TEST_HOOKS"),
    client: {
      pollIntervalMs: integer(env, "POLL_INTERVAL_MS", 7000, 200, 600_000),
      fallbackAfter: integer(env, "FALLBACK_AFTER", 3, 1, 100),
      reconnectBaseMs: integer(env, "RECONNECT_BASE_MS", 1000, 50, 600_000),
      reconnectMaxMs: integer(env, "RECONNECT_MAX_MS", 30_000, 1000, 3_600_000),
    },
  };
}
