import type { BackoffOptions } from "./backoff.js";
import { DEFAULT_BACKOFF } from "./backoff.js";
import type { RealtimeEnvironment } from "./environment.js";
import { RealtimeBookingsError } from "./errors.js";
import type { RefreshInfo, TransportName } from "./events.js";
import type { HeadersOption, TokenOption } from "./http.js";

/**
 * The options of {@link RealtimeBookings}. Only `streamUrl` is required; a page that should keep
 * working when SSE cannot also gives `versionUrl`, and almost every page gives `onRefresh`.
 *
 * Durations are milliseconds. A number option may also be a numeric string (a PHP template may print
 * one); a value that is not a finite number falls back to the default, and one below the minimum is
 * raised to it, so a typo can never turn a timer into a busy loop.
 *
 * @example
 * ```ts
 * const options: RealtimeBookingsOptions = {
 *   streamUrl: "/api/bookings/events",
 *   versionUrl: "/api/bookings/version",
 *   onRefresh: () => location.reload(),
 * };
 * ```
 */
export interface RealtimeBookingsOptions {
  /** The SSE stream endpoint (GET), absolute or relative to the page, e.g. `/api/bookings/events`. */
  readonly streamUrl: string | URL;
  /**
   * The version endpoint (GET, `{"version": <number>}`). Without it there is no polling fallback, and
   * no version check when the tab becomes visible or the network returns.
   */
  readonly versionUrl?: string | URL | undefined;
  /**
   * What to call when the page should show fresh data: once per burst of booking changes (see
   * `coalesceMs`), once per `resync`, and when the version endpoint reports a new version. May return
   * a promise: refreshes never overlap. A PHP page passes `() => location.reload()`. An exception or
   * rejection is reported like a listener's (an uncaught error in a microtask); the client carries on.
   */
  readonly onRefresh?: ((info: RefreshInfo) => unknown) | undefined;
  /**
   * The version the page was rendered with (a PHP template can print it). The first version check
   * then catches a change made between rendering and connecting; without it the first check only
   * records the version.
   */
  readonly initialVersion?: number | string | undefined;
  /**
   * `eventsource` (the native `EventSource`: cookies, `withCredentials`; with a `token`, it first
   * exchanges the token, sent in the `Authorization` header, for a single-use ticket at `ticketUrl`
   * and opens `?ticket=`: no token in any URL), `fetch` (a fetch stream that can send `headers` and
   * `token`), or `auto`: `fetch` when `headers` or `token` is set or `EventSource` is missing, else
   * `eventsource`. When the chosen one does not exist, the client polls.
   * @defaultValue "auto"
   */
  readonly transport?: "auto" | TransportName | undefined;
  /**
   * Send cookies on cross-origin requests (`EventSource` `withCredentials`, fetch `credentials: "include"`).
   * @defaultValue false
   */
  readonly withCredentials?: boolean | undefined;
  /** Extra request headers for the stream (fetch transport) and the version endpoint, or a function called before each request. */
  readonly headers?: HeadersOption | undefined;
  /** A bearer token (`Authorization: Bearer …`), or a function called before each request so an expired token is replaced. */
  readonly token?: TokenOption | undefined;
  /**
   * Where the native transport exchanges the `token` for a stream ticket (`POST`, the hub's
   * `/ticket`): on every (re)connection and credential rotation.
   * @defaultValue `streamUrl` with everything after its last `/` replaced by `ticket` (`/rt/events?a=1` → `/rt/ticket`)
   */
  readonly ticketUrl?: string | URL | undefined;
  /**
   * A burst of changes causes one refresh, run once no change arrived for this long (ms). With 0,
   * only changes that arrive in the same task share a refresh.
   * @defaultValue 250
   */
  readonly coalesceMs?: number | undefined;
  /**
   * The longest a refresh waits after the first change of a burst (ms), however long the burst.
   * @defaultValue 1000
   */
  readonly coalesceMaxMs?: number | undefined;
  /**
   * The polling period of the fallback (ms, at least 1). Failing polls back off up to `reconnect.maxMs`.
   * @defaultValue 7000
   */
  readonly pollIntervalMs?: number | undefined;
  /**
   * How many connection attempts must fail in a row (at least 1) before polling starts (SSE is still
   * retried in the background, and polling stops once it is back).
   * @defaultValue 3
   */
  readonly fallbackAfter?: number | undefined;
  /**
   * Reconnect backoff (see {@link backoffDelay}). The server's `retry:` (at least 100 ms) replaces
   * `baseMs` when the transport can read it (fetch).
   * @defaultValue `{ baseMs: 1000, maxMs: 30000, factor: 2 }`
   */
  readonly reconnect?: Omit<BackoffOptions, "random"> | undefined;
  /**
   * A stream that opened but delivered nothing, not even a heartbeat, for this long (ms) is presumed
   * stalled (a half-open TCP link, a proxy that buffers) and reopened (status reason `stalled`; a
   * second stall in a row switches to polling, reason `buffered`). Without this option the client
   * uses twice the interval the hub announces in its `ready` event, and 62 500 ms until then; with a
   * hub that announces none (an older hub, whose heartbeats are comments), the native `EventSource`
   * cannot see heartbeats and has no watchdog. 0 turns the watchdog off.
   * @defaultValue 2 × the hub's announced heartbeat (62500 before it is known)
   */
  readonly heartbeatTimeoutMs?: number | undefined;
  /**
   * A connection that stayed open this long (ms) counts as healthy: the backoff and the failure count
   * start over when it drops.
   * @defaultValue 5000
   */
  readonly healthyAfterMs?: number | undefined;
  /**
   * A version request that takes longer (ms, at least 1) is aborted, and a stream attempt that has
   * not opened by then is closed; both count as failed (`timeout`). With HTTP/1.1, a seventh tab's
   * requests otherwise wait in the browser's queue for good, with no error.
   * @defaultValue 10000
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * Close the connection (and stop polling) while the tab is hidden; status `paused`. When the tab is
   * visible again, the client reconnects and checks the version, so nothing missed stays on screen.
   * @defaultValue false
   */
  readonly pauseWhenHidden?: boolean | undefined;
  /**
   * Share one stream among the tabs of this browser that use the same stream URL: one tab (elected
   * with Web Locks) holds the stream or the polling fallback and relays events and status to the
   * others over a `BroadcastChannel`; when it closes, crashes or freezes another takes over within
   * 2 s, resuming after the last event id. Needs the sharing module (`RealtimeBookings.tabSharing`),
   * `BroadcastChannel` and Web Locks; without them each tab has its own stream. `false` gives each tab
   * its own stream.
   * @defaultValue `true` with the native `EventSource` (cookies: every tab is the same viewer); with
   *   `headers` or `token`, tabs may be different viewers, so only an explicit `true` shares
   */
  readonly shareAcrossTabs?: boolean | undefined;
  /**
   * Start enabled. `false` waits for `enable()`.
   * @defaultValue true
   */
  readonly enabled?: boolean | undefined;
  /** Aborting this signal closes the client, as `close()` does. */
  readonly signal?: AbortSignal | undefined;
  /** Replaces parts of the browser environment (tests, web views, Node); see {@link RealtimeEnvironment}. */
  readonly environment?: Partial<RealtimeEnvironment> | undefined;
}

/** The numeric options, their defaults and their minimums (internal). */
const NUMBERS = {
  coalesceMs: [250],
  coalesceMaxMs: [1000],
  pollIntervalMs: [7000, 1],
  heartbeatTimeoutMs: [62_500],
  healthyAfterMs: [5000],
  requestTimeoutMs: [10_000, 1],
  fallbackAfter: [3, 1],
} as const;

/** The options after validation and defaults (internal). */
export interface ResolvedOptions
  extends Omit<RealtimeBookingsOptions, keyof typeof NUMBERS | "streamUrl" | "versionUrl" | "initialVersion" | "reconnect">,
    Record<keyof typeof NUMBERS, number> {
  readonly streamUrl: string;
  readonly versionUrl: string | undefined;
  readonly initialVersion: string | undefined;
  readonly reconnect: Required<Omit<BackoffOptions, "random">>;
}

const invalid = (detail: string): RealtimeBookingsError => new RealtimeBookingsError("invalid_options", { detail });

/**
 * A number option (internal): numeric strings are accepted, as a PHP template may print them; a value
 * that is not a finite number falls back to the default, and one below the minimum is raised to it, so
 * a typo can never turn a timer into a busy loop.
 */
const number = (value: unknown, fallback: number, min = 0): number => {
  const result = Number(value ?? fallback);
  return result < Infinity ? Math.max(min, result) : fallback;
};

/**
 * Validates the options and applies the defaults (internal).
 *
 * @throws {@link RealtimeBookingsError} `invalid_options` for a missing `streamUrl` or an impossible `transport`
 */
export function resolveOptions(options: RealtimeBookingsOptions): ResolvedOptions {
  const { streamUrl, versionUrl, transport = "auto", reconnect = {}, initialVersion } = options ?? {};
  if (!streamUrl) throw invalid("streamUrl is required");
  if (!/^(auto|eventsource|fetch)$/.test(transport) || (transport === "eventsource" && options.headers)) {
    throw invalid('transport must be "auto", "fetch" or "eventsource" (no headers)');
  }
  const numbers = {} as Record<keyof typeof NUMBERS, number>;
  for (const [name, [fallback, min]] of Object.entries(NUMBERS) as Array<[keyof typeof NUMBERS, readonly [number, number?]]>) {
    numbers[name] = number(options[name], fallback, min);
  }
  return {
    ...options,
    ...numbers,
    streamUrl: `${streamUrl}`,
    versionUrl: versionUrl && `${versionUrl}`,
    initialVersion: initialVersion?.toString(),
    transport,
    reconnect: {
      // A zero base or cap would retry a failing server without pause: at least 1 ms and 1 s.
      baseMs: number(reconnect.baseMs, DEFAULT_BACKOFF.baseMs, 1),
      maxMs: number(reconnect.maxMs, DEFAULT_BACKOFF.maxMs, 1000),
      factor: number(reconnect.factor, DEFAULT_BACKOFF.factor, 1),
    },
  };
}
