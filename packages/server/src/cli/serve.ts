import { ProtocolError } from "@realtime-bookings/protocol";
import type { Redis } from "ioredis";
import { jwtAuthenticator } from "../auth/jwt-authenticator.js";
import type { JwtAlgorithm } from "../auth/keys.js";
import { ioredisBroker } from "../brokers/ioredis.js";
import { memoryBroker } from "../brokers/memory.js";
import type { Broker } from "../brokers/types.js";
import { HubError } from "../errors.js";
import { createBookingHub } from "../hub/create-hub.js";
import { createStandaloneServer, normalizePathPrefix } from "../standalone/server.js";
import { type Env, RunError, UsageError, exactOrigin, firstSet, readSecretFile, readSmallFile } from "./args.js";
import { cliLogger } from "./log.js";
import { integerOption, parseCommand, renderHelp } from "./spec.js";
import { SERVE } from "./spec-serve.js";
import { createRedisClient } from "../brokers/redis-client.js";
import { checkRedisUrl, logOutages, quitWithin, readyWithin, redactUrl } from "./redis.js";

/** Turns an options error of the library into a command-line mistake. */
function asUsage<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof HubError && error.code === "invalid_options") throw new UsageError(error.message);
    if (error instanceof ProtocolError) throw new UsageError(`--${error.field === "prefix" ? "key-prefix" : error.field ?? "?"}: ${error.message}`);
    throw error;
  }
}

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

  const port = integerOption(SERVE, "port", firstSet(flags.port, env["PORT"]));
  const host = flags.host ?? "0.0.0.0";
  const historyLength = integerOption(SERVE, "history-length", flags["history-length"]);
  const brokerTimeoutMs = integerOption(SERVE, "broker-timeout-ms", flags["broker-timeout-ms"]);
  const maxConnections = integerOption(SERVE, "max-connections", flags["max-connections"]);
  const maxConnectionsPerViewer = integerOption(SERVE, "max-connections-per-viewer", flags["max-connections-per-viewer"]);
  const heartbeatMs = integerOption(SERVE, "heartbeat-ms", flags["heartbeat-ms"]);
  const retryMs = integerOption(SERVE, "retry-ms", flags["retry-ms"]);
  const maxSockets = integerOption(SERVE, "max-sockets", flags["max-sockets"], maxConnections + 1_000);
  if (maxSockets <= maxConnections) {
    throw new UsageError(`--max-sockets (${maxSockets}) must be above --max-connections (${maxConnections}), leaving room for polls and health checks, e.g. ${maxConnections + 1_000}`);
  }
  const headersTimeoutMs = integerOption(SERVE, "headers-timeout-ms", flags["headers-timeout-ms"]);
  const shutdownTimeoutMs = integerOption(SERVE, "shutdown-timeout-ms", flags["shutdown-timeout-ms"]);
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
  const algorithms = flags.algorithms?.split(",").map((a) => a.trim()).filter(Boolean) as JwtAlgorithm[] | undefined;
  const auth = asUsage(() =>
    jwtAuthenticator({
      secret,
      publicKey,
      algorithms,
      issuer: flags.issuer,
      audience: flags.audience,
      cookie: flags["token-cookie"] ?? "rb_token",
      queryParameter: flags["no-query-token"] ? false : "token",
    }),
  );

  const redisUrl = firstSet(flags.redis, env["REDIS_URL"]);
  const keyOptions = { prefix: flags["key-prefix"] ?? "bookings", historyLength, ...(flags.channel === undefined ? {} : { channel: flags.channel }) };
  // Validates the channel and prefix before anything connects.
  asUsage(() => memoryBroker(keyOptions));
  // From here on a signal must not kill the process mid-way: before the hub listens there is
  // nothing to drain, so it simply exits; afterwards it shuts down gracefully (below).
  let onSignal = (signal: NodeJS.Signals): void => {
    cliLogger.info(`realtime-bookings: ${signal} during start-up, exiting`);
    process.exit(0);
  };
  const signalListener = (signal: NodeJS.Signals): void => onSignal(signal);
  process.on("SIGTERM", signalListener);
  process.on("SIGINT", signalListener);

  let redis: Redis | undefined;
  let broker: Broker;
  if (redisUrl === undefined) {
    broker = memoryBroker(keyOptions);
  } else {
    // The one client factory of the package: bounded timeouts, and nothing queued while Redis is away.
    redis = createRedisClient({ url: checkRedisUrl(redisUrl), timeout: brokerTimeoutMs / 1000 });
    logOutages(redis, redisUrl, cliLogger);
    if (!(await readyWithin(redis, 3_000))) {
      cliLogger.warn(`[realtime-bookings] Redis at ${redactUrl(redisUrl)} is not reachable yet; serving 503 until it is`);
    }
    broker = ioredisBroker(redis, keyOptions);
  }

  const hub = asUsage(() =>
    createBookingHub({
      authenticate: auth.authenticate,
      broker,
      maxConnections,
      maxConnectionsPerViewer,
      heartbeatMs,
      retryMs,
      brokerTimeoutMs,
      logger: cliLogger,
      ...(corsOrigins.length ? { cors: { origins: corsOrigins, credentials: true } } : {}),
    }),
  );
  const standalone = asUsage(() =>
    createStandaloneServer({
      hub,
      pathPrefix,
      metricsToken: firstSet(flags["metrics-token"], env["REALTIME_BOOKINGS_METRICS_TOKEN"]),
      tokenFailures: auth.failures,
      shutdownTimeoutMs,
      maxSockets,
      headersTimeoutMs,
    }),
  );

  let address: { url: string };
  try {
    address = await standalone.listen(port, host);
  } catch (error) {
    await hub.close().catch(() => undefined);
    if (redis) await quitWithin(redis, 500);
    const { code, message } = error as NodeJS.ErrnoException;
    throw new RunError(code === "EADDRINUSE" ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${message}`);
  }

  const brokerText = redisUrl
    ? `redis ${redactUrl(redisUrl)}, channel ${broker.keys.channel}, keys ${keyOptions.prefix}:*`
    : "in-memory (this process only: PHP and other processes cannot publish to it; pass --redis or set REDIS_URL)";
  const tokenPlaces = ["Authorization header", `cookie ${flags["token-cookie"] ?? "rb_token"}`, ...(flags["no-query-token"] ? [] : ["?token="])];
  cliLogger.info(
    `realtime-bookings hub listening on ${address.url} (broker: ${brokerText}; tokens: ${auth.algorithms.join(",")} from ${tokenPlaces.join(", ")}; ` +
      `CORS: ${corsOrigins.length ? corsOrigins.join(" ") : "off (same origin only)"}; caps: ${maxConnectionsPerViewer} per viewer, ${maxConnections} total, ${maxSockets} sockets)`,
  );

  return new Promise<number>((resolve) => {
    let stopping = false;
    onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        cliLogger.warn(`realtime-bookings: second ${signal}, exiting now`);
        process.exit(1);
      }
      stopping = true;
      const { admin, supervisor, specialist } = hub.stats().connections;
      cliLogger.info(`realtime-bookings: ${signal}, ending ${admin + supervisor + specialist} streams`);
      // Every await on the way out has a deadline (the server cuts what is left after the shutdown
      // timeout; Redis gets 1 s to say goodbye); this one bounds them all, whatever Redis does.
      let deadline: NodeJS.Timeout | undefined;
      const overdue = new Promise<"overdue">((done) => {
        deadline = setTimeout(() => done("overdue"), shutdownTimeoutMs + 2_000);
      });
      const closed = standalone.close().then(() => (redis ? quitWithin(redis, 1_000) : undefined));
      Promise.race([closed, overdue]).then(
        (result) => {
          clearTimeout(deadline);
          if (result === "overdue") cliLogger.warn(`realtime-bookings: shutdown took longer than ${shutdownTimeoutMs + 2_000} ms; exiting anyway`);
          else cliLogger.info("realtime-bookings: stopped");
          redis?.disconnect();
          resolve(0);
        },
        (error: unknown) => {
          clearTimeout(deadline);
          cliLogger.error("realtime-bookings: shutdown failed", error);
          resolve(1);
        },
      );
    };
  });
}
