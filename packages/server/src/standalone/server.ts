import { createHash, timingSafeEqual } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type EventsHandler, STREAM_SOCKETS, type StreamSockets } from "../endpoints/events-endpoint.js";
import { HubError } from "../errors.js";
import { errorResponse, jsonResponse, sendNode } from "../http/plain-response.js";
import type { BookingHub } from "../hub/create-hub.js";
import type { HubStats } from "../stats.js";
import { PROMETHEUS_CONTENT_TYPE, type PrometheusMetric, prometheusMetrics } from "../metrics/prometheus.js";
import { type SocketLimitOptions, socketLimits } from "./limits.js";

/** Options of {@link createStandaloneServer}. */
export interface StandaloneServerOptions extends SocketLimitOptions {
  /** The hub to serve; the server's `close()` closes it too. */
  readonly hub: BookingHub;
  /**
   * A path every endpoint sits under, e.g. `/realtime` for `/realtime/events`: starts with `/`, no
   * trailing `/`.
   * @defaultValue `""` (endpoints at `/events`, `/version`, `/healthz`, `/metrics`)
   */
  readonly pathPrefix?: string | undefined;
  /**
   * When set, `/metrics` requires `Authorization: Bearer <metricsToken>`. Without it `/metrics` is
   * public: block it at the proxy, since traffic counts tell outsiders how busy everyone is.
   */
  readonly metricsToken?: string | undefined;
  /** Counts of refused viewer tokens by reason (e.g. `jwtAuthenticator(…).failures`), added to `/metrics`. */
  readonly tokenFailures?: (() => Readonly<Record<string, number>>) | undefined;
  /**
   * How long `close()` waits for connections to finish before cutting them, in ms.
   * @defaultValue 5000
   */
  readonly shutdownTimeoutMs?: number | undefined;
  /**
   * Before closing, drain the hub for this long (`hub.drain()`): no new stream, the open ones ended
   * spread over the window, each told when to come back, while `/healthz` answers 503 so the load
   * balancer moves on. 0 closes at once.
   * @defaultValue 0
   */
  readonly drainMs?: number | undefined;
  /**
   * Answers `/metrics` with more than this process's figures: the CLI's workers ask every worker
   * through the cluster's primary and merge what they answer.
   * @internal
   */
  readonly gatherMetrics?: ((local: MetricsSnapshot) => Promise<GatheredMetrics>) | undefined;
}

/** What one hub process reports on `/metrics`. @internal */
export interface MetricsSnapshot {
  readonly stats: HubStats;
  readonly tokenFailures: Readonly<Record<string, number>>;
  /** When the process started, ms since the epoch. */
  readonly startedAt: number;
}

/** Several processes' figures merged, with what `/metrics` adds about them. @internal */
export interface GatheredMetrics extends MetricsSnapshot {
  /** Families appended to the Prometheus text (e.g. one sample per worker). */
  readonly families: readonly PrometheusMetric[];
  /** Fields added to the JSON answer. */
  readonly json: Readonly<Record<string, unknown>>;
}

/** The hub on its own `node:http` server. */
export interface StandaloneServer {
  /** The underlying server (add `on("clientError")` handlers, read `address()`…). */
  readonly server: Server;
  /** The normalized path prefix (`""` or `/something`). */
  readonly pathPrefix: string;
  /**
   * Starts listening.
   *
   * @param port - the TCP port; `0` picks a free one
   * @param host - the interface @defaultValue `"0.0.0.0"`
   * @returns the address and the base URL of the endpoints (with the prefix)
   */
  listen(port: number, host?: string): Promise<{ readonly port: number; readonly host: string; readonly url: string }>;
  /**
   * Stops accepting connections, ends every stream gracefully (each client reconnects after its own
   * jittered `retry:`, to another instance behind the load balancer), closes the hub, waits up to
   * `shutdownTimeoutMs` for the rest, then cuts what is left. Safe to call twice.
   */
  close(): Promise<void>;
}

const PREFIX = /^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/;

/** @internal */
export function normalizePathPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? "").replace(/\/+$/, "");
  if (!PREFIX.test(trimmed)) {
    throw new HubError("invalid_options", `pathPrefix must look like /realtime (a path starting with "/"), got ${JSON.stringify(prefix)}`);
  }
  return trimmed;
}

/**
 * Stops accepting connections, closes the hub (which ends every stream) and waits for the sockets to
 * go, cutting whatever is left after `shutdownTimeoutMs`. Every wait has that deadline: whatever the
 * hub or Redis does, this resolves.
 */
/** Drains the hub over `drainMs`, bounded by it plus a second whatever happens. */
async function drainFirst(hub: BookingHub, drainMs: number): Promise<void> {
  if (drainMs <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([hub.drain(drainMs).catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs + 1_000)))]);
  clearTimeout(timer);
}

async function closeGracefully(server: Server, hub: BookingHub, shutdownTimeoutMs: number, streams: StreamSockets | undefined): Promise<void> {
  const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
  const cut = setTimeout(() => {
    server.closeAllConnections();
    // Streams whose sockets were taken from node:http are not among its connections.
    streams?.cut();
  }, shutdownTimeoutMs);
  // Ended streams leave idle keep-alive sockets behind: close them as they become idle.
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  let hubTimer: NodeJS.Timeout | undefined;
  const hubClosed = hub.close().then(
    () => true,
    (error: unknown) => {
      console.error("[realtime-bookings] closing the hub failed", error);
      return true;
    },
  );
  const inTime = await Promise.race([hubClosed, new Promise<false>((resolve) => (hubTimer = setTimeout(() => resolve(false), shutdownTimeoutMs)))]);
  clearTimeout(hubTimer);
  if (!inTime) console.error(`[realtime-bookings] the hub did not close within ${shutdownTimeoutMs} ms; cutting its connections`);
  server.closeIdleConnections();
  await stopped;
  clearInterval(sweep);
  clearTimeout(cut);
}

const digest = (value: string): Buffer => createHash("sha256").update(value).digest();

/**
 * Serves a hub over `node:http` as a standalone process, for apps that are not written in Node (PHP…):
 *
 * - `GET <prefix>/events`: the SSE stream (`hub.events`);
 * - `GET <prefix>/version`: the polling fallback (`hub.version`);
 * - `POST <prefix>/ticket`: a single-use stream ticket for `?ticket=` (`hub.ticket`);
 * - `GET <prefix>/healthz`: 200 `{"ok":true,…}`, or 503 `{"ok":false,…}` while the broker is
 *   unreachable or its subscription is down;
 * - `GET <prefix>/metrics`: the counters in Prometheus text format, or JSON with `?format=json` or
 *   `Accept: application/json`;
 * - `POST <prefix>/publish`: a booking event as JSON (`hub.publisher`), for apps that cannot reach Redis;
 * - anything else: 404 `{"error":"not_found",…}`.
 *
 * Sockets are capped before anyone authenticates: at most `maxSockets` in all, and a request must
 * send its headers within `headersTimeoutMs` (see {@link SocketLimitOptions}).
 *
 * The `realtime-bookings serve` command is this server plus flags.
 *
 * @param options - the hub, the path prefix and the operational options; see {@link StandaloneServerOptions}
 * @throws {@link HubError} `invalid_options` for a malformed path prefix
 * @example
 * ```ts
 * const auth = jwtAuthenticator({ secret });
 * const hub = createBookingHub({ authenticate: auth.authenticate, broker });
 * const standalone = createStandaloneServer({ hub, pathPrefix: "/realtime", tokenFailures: auth.failures });
 * const { url } = await standalone.listen(8080);
 * process.once("SIGTERM", () => void standalone.close());
 * ```
 */
export function createStandaloneServer(options: StandaloneServerOptions): StandaloneServer {
  const { hub } = options;
  const prefix = normalizePathPrefix(options.pathPrefix);
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5_000;
  const drainMs = options.drainMs ?? 0;
  if (!(Number.isSafeInteger(drainMs) && drainMs >= 0)) throw new HubError("invalid_options", `drainMs must be a whole number of ms, got ${drainMs}`);
  if (!(Number.isSafeInteger(shutdownTimeoutMs) && shutdownTimeoutMs >= 1)) {
    throw new HubError("invalid_options", `shutdownTimeoutMs must be a positive integer, got ${shutdownTimeoutMs}`);
  }
  const metricsDigest = options.metricsToken === undefined ? undefined : digest(options.metricsToken);
  const startedAt = Date.now();
  // The hub's streams write to their sockets directly once started: this server owns every socket.
  const streams = (hub.events as Partial<EventsHandler>)[STREAM_SOCKETS];
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void>([
    // A stream ends when its credentials expire: the hub does it, from authenticate's expiresAt.
    [`${prefix}/events`, streams ? (req, res, url) => streams.node(req, res, url) : (req, res) => hub.events.node(req, res)],
    [`${prefix}/version`, (req, res) => hub.version.node(req, res)],
    // The token arrives once, in a header; the answer is a single-use ticket for ?ticket= (no token in URLs).
    [`${prefix}/ticket`, (req, res) => hub.ticket.node(req, res)],
    [`${prefix}/healthz`, healthz],
    [`${prefix}/metrics`, metrics],
    // Server to server: a publisher token, no CORS (hub.publisher answers 403 when none is configured).
    [`${prefix}/publish`, (req, res) => hub.publisher.node(req, res)],
  ]);

  const onlyGet = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method === "GET" || req.method === "HEAD") return true;
    sendNode(res, errorResponse(405, "method_not_allowed", "Use GET.", { Allow: "GET, HEAD" }));
    return false;
  };

  async function healthz(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!onlyGet(req, res)) return;
    const health = await hub.health();
    sendNode(res, jsonResponse(health.ok ? 200 : 503, { ...health, uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000) }));
  }

  async function metrics(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!onlyGet(req, res)) return;
    if (metricsDigest) {
      const sent = /^Bearer[ \t]+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      if (sent === undefined || !timingSafeEqual(digest(sent), metricsDigest)) {
        sendNode(res, errorResponse(401, "unauthorized", "Send the metrics token as Authorization: Bearer <token>.", { "WWW-Authenticate": "Bearer" }));
        return;
      }
    }
    const local: MetricsSnapshot = { stats: hub.stats(), tokenFailures: options.tokenFailures?.() ?? {}, startedAt };
    const { stats, tokenFailures, startedAt: since, families = [], json = {} } = options.gatherMetrics ? await options.gatherMetrics(local) : (local as Partial<GatheredMetrics> & MetricsSnapshot);
    const uptimeSeconds = Math.floor((Date.now() - since) / 1000);
    if (url.searchParams.get("format") === "json" || (req.headers.accept ?? "").includes("application/json")) {
      sendNode(res, jsonResponse(200, { ...stats, tokenFailures, uptimeSeconds, ...json }));
      return;
    }
    const extra: PrometheusMetric[] = [
      {
        name: "token_failures_total",
        help: "Requests refused because of their viewer token, by reason.",
        type: "counter",
        samples: Object.entries(tokenFailures).map(([reason, value]) => ({ labels: { reason }, value })),
      },
      { name: "start_time_seconds", help: "When this hub started, in seconds since the epoch.", type: "gauge", samples: [{ value: Math.floor(since / 1000) }] },
      ...families,
    ];
    sendNode(res, { status: 200, headers: { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" }, body: prometheusMetrics(stats, { extra }) });
  }

  const limits = socketLimits(options);
  const server = createServer(limits.serverOptions, (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      url = new URL("http://localhost/");
    }
    const route = routes.get(url.pathname);
    if (!route) {
      const paths = [...routes.keys()].join(", ");
      sendNode(res, errorResponse(404, "not_found", `No such endpoint; this hub serves ${paths}.`));
      return;
    }
    Promise.resolve(route(req, res, url)).catch((error: unknown) => {
      console.error("[realtime-bookings] request failed", error);
      sendNode(res, errorResponse(500, "internal_error", "The hub failed to answer."));
    });
  });
  // Sockets before authentication are capped: a client that never finishes its headers is cut after
  // headersTimeoutMs, and past maxSockets a new connection is closed at once.
  server.maxConnections = limits.maxSockets;

  let closing: Promise<void> | undefined;
  return {
    server,
    pathPrefix: prefix,
    listen(port, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          const address = server.address() as AddressInfo;
          const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve({ port: address.port, host: address.address, url: `http://${shown}:${address.port}${prefix}` });
        });
      });
    },
    close() {
      closing ??= drainFirst(hub, drainMs).then(() => closeGracefully(server, hub, shutdownTimeoutMs, streams));
      return closing;
    },
  };
}
