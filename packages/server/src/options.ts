import { type ViewerScope, type Viewer, scopeKey } from "@realtime-bookings/protocol";
import type { Broker } from "./brokers/types.js";
import { HubError } from "./errors.js";
import type { CorsOptions } from "./http/cors.js";
import type { HubRequest } from "./http/request.js";
import type { HubLogger } from "./logger.js";
import { checkLaravelOptions } from "./feed/laravel-feed.js";
import type { LaravelOptions } from "./feed/laravel-map.js";

/**
 * What `authenticate` may return when it knows more than the viewer: who the user is (for the
 * per-viewer connection cap) and when their credentials expire (the stream ends then, and the client
 * reconnects with fresh credentials instead of carrying on as someone whose token ran out).
 *
 * @example
 * ```ts
 * authenticate: async (req) => {
 *   const token = await verify(req.header("authorization"));
 *   return { viewer: token.viewer, key: `user:${token.sub}`, expiresAt: token.exp * 1000 };
 * }
 * ```
 */
export interface Authenticated {
  /** Who is watching. */
  readonly viewer: Viewer;
  /** What `maxConnectionsPerViewer` counts by; defaults to the `viewerKey` option's answer. */
  readonly key?: string | undefined;
  /** When the credentials expire, in milliseconds since the epoch: the stream is ended then. */
  readonly expiresAt?: number | undefined;
}

/**
 * Decides who is asking. Return the {@link Viewer} (or an {@link Authenticated} with the user's key
 * and the credentials' expiry), or `null`/`undefined` for "not signed in" (401). Throw an
 * `AuthenticationError` to refuse with a reason the client can show (`token_expired`…). Called once
 * per stream and per version request.
 */
export type Authenticate = (
  request: HubRequest,
) => Viewer | Authenticated | null | undefined | Promise<Viewer | Authenticated | null | undefined>;

export type { HubLogger } from "./logger.js";

/**
 * What a publisher may publish: anything (`true`), or only events whose every workpoint (old and new,
 * for a move) is one of `workpoints`.
 */
export type PublishGrant = true | { readonly workpoints: ReadonlyArray<string | number> };

/**
 * Decides whether a request to the publish endpoint may publish: a {@link PublishGrant}, or `false` /
 * `null` (403). Throw an `AuthenticationError` for a precise 401/403 (a missing or expired publisher
 * token). Publishing is server to server: check a credential (a publisher token, an API key), never
 * a browser's cookie.
 *
 * @example
 * ```ts
 * authorizePublish: (req) => req.header("authorization") === `Bearer ${process.env.PUBLISH_KEY}`,
 * ```
 */
export type AuthorizePublish = (request: HubRequest) => PublishGrant | false | null | undefined | Promise<PublishGrant | false | null | undefined>;

/**
 * Options of {@link createBookingHub}. Only `authenticate` is required.
 */
export interface BookingHubOptions {
  /** Decides the viewer of each request; see {@link Authenticate}. */
  readonly authenticate: Authenticate;
  /**
   * Where events come from and go to. Use `ioredisBroker` or `nodeRedisBroker` for several processes.
   * @defaultValue `memoryBroker()`: one process, nothing kept across restarts
   */
  readonly broker?: Broker | undefined;
  /**
   * How often every stream gets a heartbeat, in ms; proxies cut idle lines at 30–100 s. The hub spreads
   * the heartbeats over the period (a slice of the streams every 250 ms, at most 64 slices), so each
   * stream gets one per period but the streams never all at once.
   * @defaultValue 25000
   */
  readonly heartbeatMs?: number | undefined;
  /**
   * The base reconnection delay sent as `retry:`; each stream gets a value between this and twice
   * this, so clients dropped together do not come back together.
   * @defaultValue 2000
   */
  readonly retryMs?: number | undefined;
  /**
   * How many bytes may wait for one slow reader before it is dropped (it reconnects and resumes).
   * @defaultValue 1048576 (1 MiB)
   */
  readonly maxBufferedBytes?: number | undefined;
  /**
   * The most events one resume replays; a client that missed more gets `resync`.
   * @defaultValue 1000
   */
  readonly replayLimit?: number | undefined;
  /**
   * How long a Redis call may take before it fails with `broker_timeout` (the seed's 2 s).
   * @defaultValue 2000
   */
  readonly brokerTimeoutMs?: number | undefined;
  /**
   * The largest accepted event JSON, in characters; larger publishes and messages are rejected.
   * @defaultValue 65536
   */
  readonly maxEventLength?: number | undefined;
  /**
   * Resumes from an id older than the hub's in-memory tail read the history from Redis; each viewer
   * key may make this many at once…
   * @defaultValue 20
   */
  readonly resumeBurst?: number | undefined;
  /**
   * …and regains this many per second. Past it, a resume gets 429 with `Retry-After`. Resumes inside
   * the tail (the last `replayLimit` events) cost nothing and are never limited.
   * @defaultValue 2
   */
  readonly resumesPerSecond?: number | undefined;
  /**
   * How long before a stream's credentials expire (`expiresAt`, a token's `exp`) the hub sends
   * `event: reauth`, so the client reconnects with fresh credentials before the stream ends: no blip.
   * @defaultValue 60000
   */
  readonly reauthLeadMs?: number | undefined;
  /**
   * Who may publish through `hub.publisher` (POST). Without it the publish endpoint answers 403 and
   * says how to configure it: there is no default that lets anyone publish.
   */
  readonly authorizePublish?: AuthorizePublish | undefined;
  /**
   * Whether a viewer token may travel in the URL (`?token=`). Off by default: URLs end up in proxy and
   * server logs, so such a request gets 401 `query_token_refused`. A native `EventSource` uses a
   * single-use ticket instead (`POST <prefix>/ticket`, then `?ticket=`; the SDK does it by itself).
   * Turn it on only for old clients that cannot fetch a ticket, with short-lived tokens.
   * @defaultValue false
   */
  readonly allowQueryToken?: boolean | undefined;
  /** Cross-origin access, when the hub is served on another origin than the app. */
  readonly cors?: CorsOptions | undefined;
  /**
   * The most open streams in this process; past it, new streams get 429.
   * @defaultValue Infinity
   */
  readonly maxConnections?: number | undefined;
  /**
   * The most open streams per viewer key; past it, new streams get 429.
   * @defaultValue Infinity
   */
  readonly maxConnectionsPerViewer?: number | undefined;
  /**
   * The key a viewer's streams are counted under for `maxConnectionsPerViewer`.
   * @defaultValue the viewer's scope, e.g. `specialist:3`
   */
  readonly viewerKey?: ((viewer: ViewerScope, request: HubRequest) => string) | undefined;
  /**
   * Also deliver what a Laravel app broadcasts with its Redis broadcaster: the hub subscribes to the
   * channels matching `channels` (a pattern, on the broker's Redis) and maps each broadcast to a
   * booking event (see {@link laravelBookingEvent}). Such events are live only: no history id (not
   * replayed on resume), no version bump (the polling fallback does not see them), unless the app
   * also publishes through the Publisher. Needs `ioredisBroker` or `nodeRedisBroker`.
   *
   * @example
   * ```ts
   * laravel: { channels: "laravel_database_*bookings*" }
   * ```
   */
  readonly laravel?: LaravelOptions | undefined;
  /** @defaultValue `console` */
  readonly logger?: HubLogger | undefined;
}

/** @internal */
export type ResolvedOptions = { readonly [K in Exclude<keyof BookingHubOptions, "broker" | "cors" | "viewerKey" | "authorizePublish" | "laravel">]-?: Exclude<BookingHubOptions[K], undefined> } & {
  cors: CorsOptions | undefined;
  viewerKey: (viewer: ViewerScope, request: HubRequest) => string;
  authorizePublish: AuthorizePublish | undefined;
  laravel: LaravelOptions | undefined;
};

/** @internal */
export function resolveOptions(options: BookingHubOptions): ResolvedOptions {
  if (typeof options?.authenticate !== "function") {
    throw new HubError("invalid_options", "authenticate must be a function (request) => Viewer | null");
  }
  const resolved: ResolvedOptions = {
    authenticate: options.authenticate,
    heartbeatMs: options.heartbeatMs ?? 25_000,
    retryMs: options.retryMs ?? 2_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1_048_576,
    replayLimit: options.replayLimit ?? 1_000,
    brokerTimeoutMs: options.brokerTimeoutMs ?? 2_000,
    maxEventLength: options.maxEventLength ?? 65_536,
    resumeBurst: options.resumeBurst ?? 20,
    resumesPerSecond: options.resumesPerSecond ?? 2,
    reauthLeadMs: options.reauthLeadMs ?? 60_000,
    allowQueryToken: options.allowQueryToken === true,
    cors: options.cors,
    maxConnections: options.maxConnections ?? Number.POSITIVE_INFINITY,
    maxConnectionsPerViewer: options.maxConnectionsPerViewer ?? Number.POSITIVE_INFINITY,
    viewerKey: options.viewerKey ?? scopeKey,
    authorizePublish: options.authorizePublish,
    laravel: options.laravel,
    logger: options.logger ?? console,
  };
  for (const name of ["heartbeatMs", "retryMs", "maxBufferedBytes", "replayLimit", "brokerTimeoutMs", "maxEventLength", "resumeBurst", "resumesPerSecond", "reauthLeadMs"] as const) {
    const value = resolved[name];
    if (!Number.isSafeInteger(value) || value < 1) throw new HubError("invalid_options", `${name} must be a positive integer, got ${value}`);
  }
  for (const name of ["maxConnections", "maxConnectionsPerViewer"] as const) {
    const value = resolved[name];
    if (!(value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 1))) {
      throw new HubError("invalid_options", `${name} must be a positive integer, got ${value}`);
    }
  }
  if (options.laravel !== undefined) checkLaravelOptions(options.laravel, options.broker);
  return resolved;
}
