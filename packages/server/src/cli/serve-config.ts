import { ProtocolError } from "@realtime-bookings/protocol";
import { type JwtAuthenticator, jwtAuthenticator } from "../auth/jwt-authenticator.js";
import type { JwtAlgorithm } from "../auth/keys.js";
import { memoryBroker } from "../brokers/memory.js";
import { laravelPatternProblem } from "../feed/laravel-feed.js";
import type { RedisBrokerOptions } from "../brokers/redis-options.js";
import { HubError } from "../errors.js";
import { normalizePathPrefix } from "../standalone/server.js";
import { type Env, UsageError, exactOrigin, firstSet, readSecretFile, readSmallFile } from "./args.js";
import { cliLogger } from "./log.js";
import { checkRedisUrl } from "./redis.js";
import { type OptionValues, integerOption } from "./spec.js";
import { SERVE } from "./spec-serve.js";

/** Turns an options error of the library into a command-line mistake. @internal */
export function asUsage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof HubError && error.code === "invalid_options") throw new UsageError(error.message);
    if (error instanceof ProtocolError) throw new UsageError(`--${error.field === "prefix" ? "key-prefix" : error.field ?? "?"}: ${error.message}`);
    throw error;
  }
}

/** Everything `serve` runs with, resolved from flags and environment before anything connects. @internal */
export interface ServeConfig {
  readonly port: number;
  readonly host: string;
  readonly brokerTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerViewer: number;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly maxSockets: number;
  readonly headersTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  readonly pathPrefix: string;
  readonly corsOrigins: readonly string[];
  readonly metricsToken: string | undefined;
  readonly auth: JwtAuthenticator;
  /** Where tokens are read from, for the start-up line. */
  readonly tokenPlaces: readonly string[];
  readonly redisUrl: string | undefined;
  readonly keyOptions: RedisBrokerOptions & { readonly prefix: string };
  /** The pattern of Laravel's broadcast channels to hear, if any. */
  readonly laravelChannels: string | undefined;
}

/**
 * Resolves and checks every flag of `serve`: a mistake is a {@link UsageError} (exit 2) before
 * anything listens or connects.
 *
 * @internal
 */
export function resolveServeConfig(flags: OptionValues<typeof SERVE.options>, env: Env): ServeConfig {
  const maxConnections = integerOption(SERVE, "max-connections", flags["max-connections"]);
  const maxSockets = integerOption(SERVE, "max-sockets", flags["max-sockets"], maxConnections + 1_000);
  if (maxSockets <= maxConnections) {
    throw new UsageError(`--max-sockets (${maxSockets}) must be above --max-connections (${maxConnections}), leaving room for polls and health checks, e.g. ${maxConnections + 1_000}`);
  }
  let pathPrefix: string;
  try {
    pathPrefix = normalizePathPrefix(flags["path-prefix"]);
  } catch {
    throw new UsageError(`--path-prefix must be a path such as /realtime, got ${JSON.stringify(flags["path-prefix"])}`);
  }
  const corsOrigins = (flags["cors-origin"] ?? []).flatMap((value) => value.split(",")).map((o) => o.trim()).filter(Boolean).map(exactOrigin);

  if (flags.secret !== undefined && flags["secret-file"] !== undefined) throw new UsageError("give --secret or --secret-file, not both");
  const secret = flags["secret-file"] !== undefined ? readSecretFile("--secret-file", flags["secret-file"], (m) => cliLogger.warn(m)) : firstSet(flags.secret, env["REALTIME_BOOKINGS_SECRET"]);
  const publicKeySource = firstSet(flags["public-key"], env["REALTIME_BOOKINGS_PUBLIC_KEY"]);
  const publicKey =
    publicKeySource === undefined ? undefined : publicKeySource.startsWith("-----BEGIN") ? publicKeySource : readSmallFile("--public-key", publicKeySource);
  if (secret === undefined && publicKey === undefined) {
    throw new UsageError("viewer tokens need a key: --secret (or REALTIME_BOOKINGS_SECRET, --secret-file) or --public-key");
  }
  const cookie = flags["token-cookie"] ?? "rb_token";
  const auth = asUsage(() =>
    jwtAuthenticator({
      secret,
      publicKey,
      algorithms: flags.algorithms?.split(",").map((a) => a.trim()).filter(Boolean) as JwtAlgorithm[] | undefined,
      issuer: flags.issuer,
      audience: flags.audience,
      cookie,
      queryParameter: flags["no-query-token"] ? false : "token",
    }),
  );

  const redisUrl = firstSet(flags.redis, env["REDIS_URL"]);
  if (redisUrl !== undefined) checkRedisUrl(redisUrl);
  const historyLength = integerOption(SERVE, "history-length", flags["history-length"]);
  const keyOptions = { prefix: flags["key-prefix"] ?? "bookings", historyLength, ...(flags.channel === undefined ? {} : { channel: flags.channel }) };
  asUsage(() => memoryBroker(keyOptions)); // checks the channel and prefix
  const laravelChannels = firstSet(flags["laravel-channels"], env["REALTIME_BOOKINGS_LARAVEL_CHANNELS"]);
  if (laravelChannels !== undefined) {
    const problem = laravelPatternProblem(laravelChannels);
    if (problem) throw new UsageError(`--laravel-channels ${problem}`);
    if (redisUrl === undefined) throw new UsageError("--laravel-channels needs --redis (or REDIS_URL): the Redis your Laravel app broadcasts to");
  }
  return {
    port: integerOption(SERVE, "port", firstSet(flags.port, env["PORT"])),
    host: flags.host ?? "0.0.0.0",
    brokerTimeoutMs: integerOption(SERVE, "broker-timeout-ms", flags["broker-timeout-ms"]),
    maxConnections,
    maxConnectionsPerViewer: integerOption(SERVE, "max-connections-per-viewer", flags["max-connections-per-viewer"]),
    heartbeatMs: integerOption(SERVE, "heartbeat-ms", flags["heartbeat-ms"]),
    retryMs: integerOption(SERVE, "retry-ms", flags["retry-ms"]),
    maxSockets,
    headersTimeoutMs: integerOption(SERVE, "headers-timeout-ms", flags["headers-timeout-ms"]),
    shutdownTimeoutMs: integerOption(SERVE, "shutdown-timeout-ms", flags["shutdown-timeout-ms"]),
    pathPrefix,
    corsOrigins,
    metricsToken: firstSet(flags["metrics-token"], env["REALTIME_BOOKINGS_METRICS_TOKEN"]),
    auth,
    tokenPlaces: ["Authorization header", `cookie ${cookie}`, ...(flags["no-query-token"] ? [] : ["?token="])],
    redisUrl,
    keyOptions,
    laravelChannels,
  };
}
