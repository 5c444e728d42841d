import { availableParallelism } from "node:os";
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
import { WORKER_ENV } from "./workers/messages.js";
import type { TOPOLOGY_OPTIONS } from "./spec-topology.js";
import { publisherAuthorizer } from "../auth/publisher-authorizer.js";
import type { AuthorizePublish } from "../options.js";
import { type ClusterSettings, type SentinelSettings, parseAddressList } from "../brokers/topology.js";

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
  /** Whether the hub lets `?token=` through to the authenticator (`--allow-query-token`, or `--no-query-token`, which ignores it). */
  readonly allowQueryToken: boolean;
  readonly redisUrl: string | undefined;
  /** A Sentinel set or a Cluster instead of `redisUrl`. */
  readonly topology: Topology | undefined;
  /** How long SIGTERM's drain spreads the ends of the open streams. */
  readonly drainMs: number;
  /** Who may POST /publish: publisher tokens, verified with `--publisher-secret` or the viewer key. */
  readonly publisherAuth: AuthorizePublish;
  readonly keyOptions: RedisBrokerOptions & { readonly prefix: string };
  /** The pattern of Laravel's broadcast channels to hear, if any. */
  readonly laravelChannels: string | undefined;
  /** Hub processes sharing the port (`--workers`); 1 runs the hub in this process. */
  readonly workers: number;
}

/** The most workers `--workers` accepts. @internal */
export const MAX_WORKERS = 256;

/**
 * `--workers`: a whole number from 1 to {@link MAX_WORKERS}, or `auto` for one per core.
 * @internal
 */
export function resolveWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (raw === "auto") return Math.min(MAX_WORKERS, availableParallelism());
  if (!/^\d+$/.test(raw)) throw new UsageError(`--workers must be a whole number or auto, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < 1 || value > MAX_WORKERS) throw new UsageError(`--workers must be between 1 and ${MAX_WORKERS} (or auto), got ${raw}`);
  return value;
}

/**
 * Worker `worker`'s (1…`workers`) even share of a cap of the whole server: the remainder goes one
 * each to the first workers, so the shares add up to `total` exactly.
 * @internal
 */
export const shareOf = (total: number, workers: number, worker: number): number => Math.floor(total / workers) + (worker <= total % workers ? 1 : 0);

/** Checks the caps can be split over the workers, each keeping room for polls beside its streams. */
function checkWorkerCaps(workers: number, maxConnections: number, maxSockets: number): void {
  if (workers === 1) return;
  if (maxConnections < workers) throw new UsageError(`--max-connections (${maxConnections}) is the whole server's cap, split over --workers ${workers}: give each worker at least one, e.g. --max-connections ${workers}`);
  for (let worker = 1; worker <= workers; worker++) {
    if (shareOf(maxSockets, workers, worker) <= shareOf(maxConnections, workers, worker)) {
      throw new UsageError(`--max-sockets (${maxSockets}) split over --workers ${workers} leaves a worker no socket beside its streams: give it at least --max-connections + ${workers}, e.g. ${maxConnections + 1_000}`);
    }
  }
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
  const secret = flags["secret-file"] !== undefined ? readSecretFile("--secret-file", flags["secret-file"], (m) => (env[WORKER_ENV] === undefined ? cliLogger.warn(m) : undefined)) : firstSet(flags.secret, env["REALTIME_BOOKINGS_SECRET"]);
  const publicKeySource = firstSet(flags["public-key"], env["REALTIME_BOOKINGS_PUBLIC_KEY"]);
  const publicKey =
    publicKeySource === undefined ? undefined : publicKeySource.startsWith("-----BEGIN") ? publicKeySource : readSmallFile("--public-key", publicKeySource);
  if (secret === undefined && publicKey === undefined) {
    throw new UsageError("viewer tokens need a key: --secret (or REALTIME_BOOKINGS_SECRET, --secret-file) or --public-key");
  }
  const cookie = flags["token-cookie"] ?? "rb_token";
  if (flags["no-query-token"] && flags["allow-query-token"]) throw new UsageError("--no-query-token and --allow-query-token contradict each other: give one");
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
  const topology = resolveTopology(redisUrl, flags, env);
  const historyLength = integerOption(SERVE, "history-length", flags["history-length"]);
  const keyOptions = { prefix: flags["key-prefix"] ?? "bookings", historyLength, ...(flags.channel === undefined ? {} : { channel: flags.channel }) };
  asUsage(() => memoryBroker(keyOptions)); // checks the channel and prefix
  const laravelChannels = firstSet(flags["laravel-channels"], env["REALTIME_BOOKINGS_LARAVEL_CHANNELS"]);
  if (laravelChannels !== undefined) {
    const problem = laravelPatternProblem(laravelChannels);
    if (problem) throw new UsageError(`--laravel-channels ${problem}`);
    if (redisUrl === undefined && topology === undefined) throw new UsageError("--laravel-channels needs --redis (or REDIS_URL): the Redis your Laravel app broadcasts to");
  }
  const workers = resolveWorkers(firstSet(flags.workers, env["REALTIME_BOOKINGS_WORKERS"]));
  if (workers > 1 && redisUrl === undefined && topology === undefined) {
    throw new UsageError(
      `--workers ${workers} needs Redis: with the in-memory broker each worker would see only what it publishes itself. Pass --redis redis://host:6379 (or REDIS_URL, --sentinel, --cluster), or run --workers 1`,
    );
  }
  checkWorkerCaps(workers, maxConnections, maxSockets);
  return {
    workers,
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
    tokenPlaces: ["Authorization header", `cookie ${cookie}`, "?ticket=", ...(flags["allow-query-token"] ? ["?token="] : [])],
    // --no-query-token: the authenticator never reads ?token=, so the hub need not refuse it first.
    allowQueryToken: flags["allow-query-token"] === true || flags["no-query-token"] === true,
    redisUrl,
    topology,
    keyOptions,
    laravelChannels,
    drainMs: integerOption(SERVE, "drain-ms", flags["drain-ms"]),
    publisherAuth: asUsage(() => {
      const publisherSecret = firstSet(flags["publisher-secret"], env["REALTIME_BOOKINGS_PUBLISHER_SECRET"]);
      return publisherSecret === undefined
        ? publisherAuthorizer({ secret, publicKey, issuer: flags.issuer, audience: flags.audience })
        : publisherAuthorizer({ secret: publisherSecret, issuer: flags.issuer, audience: flags.audience });
    }),
  };
}

/** Where a Redis Sentinel set or a Redis Cluster is, from the flags; `undefined` for a single Redis. */
export type Topology =
  | { readonly kind: "sentinel"; readonly settings: SentinelSettings; readonly shown: string }
  | { readonly kind: "cluster"; readonly settings: ClusterSettings; readonly shown: string };

/**
 * The Sentinel set or Cluster the flags name, if any; one of `--redis`, `--sentinel`, `--cluster`.
 * @internal
 */
export function resolveTopology(redisUrl: string | undefined, flags: OptionValues<typeof TOPOLOGY_OPTIONS>, env: Env): Topology | undefined {
  const sentinels = firstSet(flags.sentinel, env["REDIS_SENTINELS"]);
  const nodes = firstSet(flags.cluster, env["REDIS_CLUSTER_NODES"]);
  const given = [redisUrl && "--redis", sentinels && "--sentinel", nodes && "--cluster"].filter(Boolean);
  if (given.length > 1) throw new UsageError(`give one of --redis, --sentinel or --cluster, not ${given.join(" and ")}`);
  if (sentinels !== undefined) {
    const name = firstSet(flags["sentinel-master"], env["REDIS_SENTINEL_MASTER"]);
    if (name === undefined) throw new UsageError("--sentinel needs --sentinel-master <name> (or REDIS_SENTINEL_MASTER): the master's name as the sentinels know it");
    const sentinelPassword = firstSet(flags["sentinel-password"], env["REDIS_SENTINEL_PASSWORD"]);
    const settings: SentinelSettings = { sentinels: asUsage(() => parseAddressList(sentinels, "--sentinel")), name, ...(sentinelPassword === undefined ? {} : { sentinelPassword }) };
    return { kind: "sentinel", settings, shown: `sentinel ${sentinels} master ${name}` };
  }
  if (nodes !== undefined) return { kind: "cluster", settings: { nodes: asUsage(() => parseAddressList(nodes, "--cluster")) }, shown: `cluster ${nodes}` };
  if (flags["sentinel-master"] !== undefined) throw new UsageError("--sentinel-master goes with --sentinel host:port,…");
  return undefined;
}

