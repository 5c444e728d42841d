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
import { type Env, RunError, UsageError, exactOrigin, firstSet, integer, parseFlags, readSecretFile, readSmallFile } from "./args.js";
import { cliLogger } from "./log.js";
import { createRedisClient } from "../brokers/redis-client.js";
import { checkRedisUrl, logOutages, quitWithin, readyWithin, redactUrl } from "./redis.js";

/** The text of `realtime-bookings serve --help`. @internal */
export const SERVE_HELP = `Usage: realtime-bookings serve [options]

Runs the push hub over HTTP. Browsers connect to the SSE stream; apps in any language publish
booking changes to Redis with the atomic publish script (docs/protocol.md).

Endpoints (under --path-prefix):
  GET /events    the SSE stream of the viewer's bookings (resume with Last-Event-ID)
  GET /version   {"version": n} of the viewer's scope, with ETag (polling fallback)
  GET /healthz   200 {"ok":true,...}, or 503 while Redis is unreachable
  GET /metrics   counters in Prometheus text; JSON with ?format=json

Broker:
  --redis <url>                     Redis to subscribe to (env REDIS_URL); rediss:// for TLS.
                                    Without it: the in-memory broker, this process only.
  --channel <name>                  pub/sub channel (default <key-prefix>:updates,
                                    i.e. bookings:updates)
  --key-prefix <prefix>             prefix of the history and version keys (default bookings)
  --history-length <n>              events kept for resume (default 1000)
  --broker-timeout-ms <ms>          longest a Redis call may take (default 2000)

Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub):
  --secret <secret>                 HS256 shared secret, >= 32 bytes (env REALTIME_BOOKINGS_SECRET;
                                    prefer the env or --secret-file: flags show in ps)
  --secret-file <path>              read the secret from a file (warns if others may read it)
  --public-key <path>               PEM public key for RS256 / ES256 tokens
                                    (env REALTIME_BOOKINGS_PUBLIC_KEY: a path or the PEM itself)
  --algorithms <list>               allowlist, e.g. HS256,RS256 (default: HS256 with a secret,
                                    the key's algorithm with a public key; never none)
  --issuer <iss>                    accept only tokens whose iss claim is this (others: token_claims)
  --audience <aud>                  accept only tokens whose aud claim is this (others: token_claims)
  --token-cookie <name>             cookie that may hold the token (default rb_token)
  --no-query-token                  refuse ?token= (tokens in URLs end up in logs)

HTTP:
  --port <n>                        port (env PORT, default 8080; 0 picks a free one)
  --host <address>                  interface (default 0.0.0.0)
  --path-prefix <path>              serve the endpoints under it, e.g. /realtime
  --cors-origin <origin>            allow this page origin, with credentials; repeat the flag or
                                    separate with commas. Other origins get 403 and no stream.
  --max-connections <n>             open streams in this process (default 10000); 429 past it
  --max-connections-per-viewer <n>  open streams per user (token sub, else jti, else the token; default 10)
  --max-sockets <n>                 open TCP sockets of any kind, before authentication too
                                    (default --max-connections + 1000); past it, closed at once
  --headers-timeout-ms <ms>         a request must send its headers within this, or gets 408
                                    and is closed (default 5000)
  --heartbeat-ms <ms>               comment sent on idle streams (default 25000)
  --retry-ms <ms>                   base reconnection delay sent to clients, jittered to 2x (default 2000)
  --metrics-token <token>           require Authorization: Bearer <token> on /metrics
                                    (env REALTIME_BOOKINGS_METRICS_TOKEN)
  --shutdown-timeout-ms <ms>        on SIGTERM, how long streams may take to end before they are
                                    cut (default 5000)
  -h, --help                        show this help

SIGTERM or SIGINT ends every stream gracefully (clients reconnect elsewhere after a jittered
delay) and exits 0 within --shutdown-timeout-ms plus a few seconds, whatever Redis does; a second
signal exits at once.

Example:
  REALTIME_BOOKINGS_SECRET=... realtime-bookings serve --redis redis://127.0.0.1:6379 \\
    --port 8080 --cors-origin https://app.example.com
`;

const OPTIONS = {
  port: { type: "string" },
  host: { type: "string" },
  redis: { type: "string" },
  channel: { type: "string" },
  "key-prefix": { type: "string" },
  "history-length": { type: "string" },
  "broker-timeout-ms": { type: "string" },
  secret: { type: "string" },
  "secret-file": { type: "string" },
  "public-key": { type: "string" },
  algorithms: { type: "string" },
  issuer: { type: "string" },
  audience: { type: "string" },
  "token-cookie": { type: "string" },
  "no-query-token": { type: "boolean" },
  "path-prefix": { type: "string" },
  "cors-origin": { type: "string", multiple: true },
  "max-connections": { type: "string" },
  "max-connections-per-viewer": { type: "string" },
  "heartbeat-ms": { type: "string" },
  "retry-ms": { type: "string" },
  "metrics-token": { type: "string" },
  "shutdown-timeout-ms": { type: "string" },
  "max-sockets": { type: "string" },
  "headers-timeout-ms": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

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
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }

  const port = integer("--port", firstSet(flags.port, env["PORT"]), 8080, 0, 65_535);
  const host = flags.host ?? "0.0.0.0";
  const historyLength = integer("--history-length", flags["history-length"], 1000, 1, 1_000_000);
  const brokerTimeoutMs = integer("--broker-timeout-ms", flags["broker-timeout-ms"], 2000, 50, 60_000);
  const maxConnections = integer("--max-connections", flags["max-connections"], 10_000, 1, 10_000_000);
  const maxConnectionsPerViewer = integer("--max-connections-per-viewer", flags["max-connections-per-viewer"], 10, 1, 100_000);
  const heartbeatMs = integer("--heartbeat-ms", flags["heartbeat-ms"], 25_000, 10, 3_600_000);
  const retryMs = integer("--retry-ms", flags["retry-ms"], 2_000, 1, 3_600_000);
  const maxSockets = integer("--max-sockets", flags["max-sockets"], maxConnections + 1_000, 2, 10_001_000);
  if (maxSockets <= maxConnections) {
    throw new UsageError(`--max-sockets (${maxSockets}) must be above --max-connections (${maxConnections}), leaving room for polls and health checks, e.g. ${maxConnections + 1_000}`);
  }
  const headersTimeoutMs = integer("--headers-timeout-ms", flags["headers-timeout-ms"], 5_000, 100, 600_000);
  const shutdownTimeoutMs = integer("--shutdown-timeout-ms", flags["shutdown-timeout-ms"], 5_000, 1, 600_000);
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
