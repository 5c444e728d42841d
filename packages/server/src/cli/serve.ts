import cluster from "node:cluster";
import { redisKeys } from "@realtime-bookings/protocol";
import { ioredisBroker } from "../brokers/ioredis.js";
import { memoryBroker } from "../brokers/memory.js";
import { createRedisClient } from "../brokers/redis-client.js";
import type { Broker } from "../brokers/types.js";
import type { BookingHub } from "../hub/create-hub.js";
import { createBookingHub } from "../hub/create-hub.js";
import { type StandaloneServer, createStandaloneServer } from "../standalone/server.js";
import { checkClusterMode } from "../brokers/topology.js";
import { HubError } from "../errors.js";
import { type Env, RunError, UsageError } from "./args.js";
import { topologyBroker } from "./topology-broker.js";
import { cliLogger } from "./log.js";
import { type Closable, logOutages, quitWithin, readyWithin, redactUrl } from "./redis.js";
import { type ServeConfig, asUsage, resolveServeConfig, shareOf } from "./serve-config.js";
import { runPrimary } from "./workers/primary.js";
import { type WorkerLink, workerLink } from "./workers/worker.js";
import { parseCommand, renderHelp } from "./spec.js";
import { SERVE } from "./spec-serve.js";

/** How much longer than the shutdown timeout the whole shutdown may take before the CLI exits anyway. */
const SHUTDOWN_MARGIN_MS = 2_000;

/**
 * `realtime-bookings serve`: resolves every flag first (a mistake exits 2 before anything connects),
 * then runs until SIGTERM or SIGINT.
 *
 * @returns the exit status once stopped
 * @internal
 */
export async function serve(args: readonly string[], env: Env): Promise<number> {
  const flags = parseCommand(SERVE, args);
  if (flags.help) {
    process.stdout.write(renderHelp(SERVE));
    return 0;
  }
  const config = resolveServeConfig(flags, env);
  if (config.workers > 1 && cluster.isPrimary) {
    // The primary serves nothing: it forks the workers, each a complete hub on the shared port.
    return runPrimary({ workers: config.workers, shutdownBoundMs: config.drainMs + config.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS, startupLine: (url) => startupLine(config, url) });
  }
  const link = config.workers > 1 ? workerLink(env) : undefined;
  if (config.workers > 1 && !link) cliLogger.warn(`[realtime-bookings] --workers ${config.workers} ignored: this process is already a worker of another cluster (pm2?); it runs one hub`);
  const startedAt = Date.now();

  // From here on a signal must not kill the process mid-way: before the hub listens there is
  // nothing to drain, so it simply exits; afterwards it shuts down gracefully (below).
  let stop: ((signal: NodeJS.Signals) => void) | undefined;
  let stopping = false;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals, fromPrimary = false): void => {
    if (!fromPrimary) signals += 1;
    if (!stop) {
      cliLogger.info(`realtime-bookings: ${signal} during start-up, exiting`);
      process.exit(0);
    }
    if (stopping) {
      // A terminal's Ctrl-C reaches the primary and every worker: the primary's request and the
      // worker's own first signal are one stop, not two.
      if (fromPrimary || (link && signals === 1)) return;
      cliLogger.warn(`realtime-bookings: second ${signal}, exiting now`);
      process.exit(1);
    }
    stopping = true;
    stop(signal);
  };
  const signalListener = (signal: NodeJS.Signals): void => onSignal(signal);
  process.on("SIGTERM", signalListener);
  process.on("SIGINT", signalListener);
  link?.onShutdown((signal) => onSignal(signal, true));

  const { redis, broker } = await connectBroker(config);
  // With workers, the caps of the whole server are split evenly (see --workers).
  const share = (total: number): number => (link ? shareOf(total, config.workers, link.worker) : total);
  const hub = asUsage(() =>
    createBookingHub({
      authenticate: config.auth.authenticate,
      broker,
      maxConnections: share(config.maxConnections),
      maxConnectionsPerViewer: config.maxConnectionsPerViewer,
      allowQueryToken: config.allowQueryToken,
      heartbeatMs: config.heartbeatMs,
      retryMs: config.retryMs,
      brokerTimeoutMs: config.brokerTimeoutMs,
      logger: cliLogger,
      ...(config.corsOrigins.length ? { cors: { origins: config.corsOrigins, credentials: true } } : {}),
      ...(config.laravelChannels === undefined ? {} : { laravel: { channels: config.laravelChannels } }),
      // POST /publish: publisher tokens ("publish": true), verified with their own secret or the viewer key.
      authorizePublish: config.publisherAuth,
    }),
  );
  const standalone = asUsage(() =>
    createStandaloneServer({
      hub,
      pathPrefix: config.pathPrefix,
      metricsToken: config.metricsToken,
      tokenFailures: config.auth.failures,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      maxSockets: share(config.maxSockets),
      headersTimeoutMs: config.headersTimeoutMs,
      drainMs: config.drainMs,
      ...(link ? { gatherMetrics: (local) => link.gatherMetrics(local) } : {}),
    }),
  );
  link?.setSnapshot(() => ({ stats: hub.stats(), tokenFailures: config.auth.failures(), startedAt }));

  let address: { url: string };
  try {
    address = await standalone.listen(config.port, config.host);
  } catch (error) {
    await standalone.close().catch(() => undefined);
    if (redis) await quitWithin(redis, 500);
    const { code, message } = error as NodeJS.ErrnoException;
    throw new RunError(code === "EADDRINUSE" ? `port ${config.port} on ${config.host} is already in use` : `cannot listen on ${config.host}:${config.port}: ${message}`);
  }
  if (link) link.listening(address.url);
  else cliLogger.info(startupLine(config, address.url));

  return new Promise<number>((resolve) => {
    stop = (signal) => {
      if (link && signals > 0) leaveAlone(link, standalone);
      // The drain window comes first, then the shutdown timeout; the whole is bounded by both plus a margin.
      void shutDown(signal, { hub, standalone, redis, shutdownTimeoutMs: config.drainMs + config.shutdownTimeoutMs }).then(resolve);
    };
  });
}

/**
 * A worker told to stop on its own (not by its primary): it takes no new connection (the others
 * get them) and the primary starts its replacement while it drains.
 */
function leaveAlone(link: WorkerLink, standalone: StandaloneServer): void {
  link.draining();
  standalone.server.close();
}

/** The start-up line: where the hub listens, its broker, tokens, CORS and caps. @internal */
export function startupLine(config: ServeConfig, url: string): string {
  const where = config.redisUrl ? `redis ${redactUrl(config.redisUrl)}` : config.topology ? config.topology.shown : undefined;
  const keys = redisKeys({ ...config.keyOptions, cluster: config.topology?.kind === "cluster" });
  const brokerText = where
    ? `${where}, channel ${keys.channel}, keys ${keys.history.replace(/history$/, "*")}${config.laravelChannels === undefined ? "" : `, Laravel broadcasts on ${config.laravelChannels}`}`
    : "in-memory (this process only: PHP and other processes cannot publish to it; pass --redis or set REDIS_URL)";
  const caps =
    config.workers > 1
      ? `caps: ${config.maxConnectionsPerViewer} per viewer in each worker, ${config.maxConnections} total and ${config.maxSockets} sockets split evenly over ${config.workers} workers`
      : `caps: ${config.maxConnectionsPerViewer} per viewer, ${config.maxConnections} total, ${config.maxSockets} sockets`;
  return (
    `realtime-bookings hub listening on ${url} (broker: ${brokerText}; tokens: ${config.auth.algorithms.join(",")} from ${config.tokenPlaces.join(", ")}; ` +
    `CORS: ${config.corsOrigins.length ? config.corsOrigins.join(" ") : "off (same origin only)"}; ${caps})`
  );
}

/** The broker: ioredis on the package's one client factory with `--redis`, else in memory. */
async function connectBroker(config: ServeConfig): Promise<{ redis: Closable | undefined; broker: Broker }> {
  if (config.topology) {
    const { client, broker } = await topologyBroker(config.topology, config.keyOptions, config.brokerTimeoutMs / 1000);
    return { redis: client, broker };
  }
  if (config.redisUrl === undefined) return { redis: undefined, broker: memoryBroker(config.keyOptions) };
  // Bounded timeouts, and nothing queued while Redis is away.
  const redis = createRedisClient({ url: config.redisUrl, timeout: config.brokerTimeoutMs / 1000 });
  logOutages(redis, config.redisUrl, cliLogger);
  if (!(await readyWithin(redis, 3_000))) {
    cliLogger.warn(`[realtime-bookings] Redis at ${redactUrl(config.redisUrl)} is not reachable yet; serving 503 until it is`);
  } else {
    // A Cluster node given as --redis would take the keys of one slot only: say so at once.
    await checkClusterMode(redis, "single").catch((error: unknown) => {
      if (error instanceof HubError && error.code === "invalid_options") throw new UsageError(`--redis ${redactUrl(config.redisUrl as string)}: ${error.message}`);
    });
  }
  return { redis, broker: ioredisBroker(redis, config.keyOptions) };
}

/**
 * Ends every stream, closes the server, the hub and Redis. Every await on the way out has a deadline
 * (the server cuts what is left after the shutdown timeout; Redis gets 1 s to say goodbye), and this
 * one bounds them all, whatever Redis does.
 *
 * @returns the exit status: 0, or 1 when closing failed
 */
async function shutDown(
  signal: NodeJS.Signals,
  parts: { hub: BookingHub; standalone: StandaloneServer; redis: Closable | undefined; shutdownTimeoutMs: number },
): Promise<number> {
  const { admin, supervisor, specialist } = parts.hub.stats().connections;
  cliLogger.info(`realtime-bookings: ${signal}, ending ${admin + supervisor + specialist} streams`);
  const limit = parts.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS;
  let deadline: NodeJS.Timeout | undefined;
  const overdue = new Promise<"overdue">((done) => {
    deadline = setTimeout(() => done("overdue"), limit);
  });
  const closed = parts.standalone.close().then(() => (parts.redis ? quitWithin(parts.redis, 1_000) : undefined));
  try {
    const result = await Promise.race([closed, overdue]);
    if (result === "overdue") cliLogger.warn(`realtime-bookings: shutdown took longer than ${limit} ms; exiting anyway`);
    else cliLogger.info("realtime-bookings: stopped");
    return 0;
  } catch (error) {
    cliLogger.error("realtime-bookings: shutdown failed", error);
    return 1;
  } finally {
    clearTimeout(deadline);
    parts.redis?.disconnect();
  }
}
