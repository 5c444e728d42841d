/**
 * What went wrong, stable across versions: branch on this, never on the message.
 *
 * Fatal codes stop the client and turn its status to `error` (see {@link RealtimeBookingsError.fatal});
 * call `enable()` to try again:
 * - `unauthorized`: the stream or version endpoint answered 401 (no session, expired or invalid
 *   token: {@link RealtimeBookingsError.serverCode} says which). Sign in again, or make the `token`
 *   option return a fresh token, then call `enable()`.
 * - `forbidden`: it answered 403: this user may not see bookings.
 * - `no_content`: the stream answered 204, the SSE way of saying "stop reconnecting".
 * - `unsupported`: this environment has neither `EventSource` nor `fetch`.
 * - `invalid_options`: thrown by the constructor for a missing or malformed option (the message names
 *   it).
 *
 * Every other code is reported on the `error` event, and the client recovers by itself:
 * - `http_error`: another status (429, 5xx, a proxy's 502 during a deploy…): reconnect with backoff,
 *   or after the server's `Retry-After` when it sent one (see {@link RealtimeBookingsError.retryAfterMs}).
 * - `invalid_response`: a 200 that is not an event stream, or a version body without a `version`.
 * - `network_error`: the request failed, or the stream was interrupted, or a native `EventSource`
 *   could not connect (a browser does not say why).
 * - `stream_ended`: the server ended the stream (graceful shutdown, slow reader): reconnect and resume.
 * - `stalled`: an open stream delivered nothing, not even a heartbeat, for twice the hub's heartbeat
 *   interval (or `heartbeatTimeoutMs`); the connection was presumed dead and reopened.
 * - `timeout`: a version request, or a stream attempt that never opened, took longer than
 *   `requestTimeoutMs` (a seventh tab on an HTTP/1.1 hub).
 * - `headers_failed`: the `headers` or `token` function threw or rejected; retried like a failure.
 * - `invalid_event`: a `booking` event's data was not a booking change; the page is refreshed to be safe.
 *
 * @example
 * ```ts
 * realtime.on("error", ({ code }) => {
 *   if (code === "stalled") metrics.increment("realtime.stalled");
 * });
 * ```
 */
export type RealtimeBookingsErrorCode =
  | "invalid_options"
  | "unsupported"
  | "unauthorized"
  | "forbidden"
  | "no_content"
  | "http_error"
  | "invalid_response"
  | "network_error"
  | "stream_ended"
  | "stalled"
  | "timeout"
  | "headers_failed"
  | "invalid_event";

/**
 * Details attached to a {@link RealtimeBookingsError}.
 *
 * @example
 * ```ts
 * new RealtimeBookingsError("unauthorized", { status: 401, serverCode: "token_expired", detail: "Token has expired" });
 * ```
 */
export interface RealtimeBookingsErrorDetails {
  /** The HTTP status that caused the error, when there was one. */
  readonly status?: number | undefined;
  /** The `error` field of the server's JSON error body, e.g. `token_expired`. */
  readonly serverCode?: string | undefined;
  /** Appended to the message: the server's `message`, the option at fault, the content type seen… */
  readonly detail?: string | undefined;
  /** The underlying error (a `TypeError` from `fetch`, an exception from a `headers` function…). */
  readonly cause?: unknown;
  /** The server's `Retry-After` (in seconds on the wire), in milliseconds, capped at 10 minutes. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * The one error type of `@realtime-bookings/client`. It is thrown by the constructor for bad options,
 * delivered on the `error` event for every failure the client recovers from, and carried by the
 * `status` event (and {@link RealtimeBookings.error}) when the client stops.
 *
 * The message is the code, the HTTP status and a detail, e.g. `unauthorized (HTTP 401): Token has
 * expired`; {@link RealtimeBookingsErrorCode} says what each code means and how to fix it.
 *
 * @example
 * ```ts
 * realtime.on("status", ({ current, error }) => {
 *   if (current === "error" && error?.code === "unauthorized") location.href = "/login";
 * });
 * realtime.on("error", (error) => console.warn(error.code, error.status, error.message));
 * ```
 */
export class RealtimeBookingsError extends Error {
  /** The kind of failure; see {@link RealtimeBookingsErrorCode}. */
  declare readonly code: RealtimeBookingsErrorCode;
  /** The HTTP status that caused it, if any. */
  declare readonly status: number | undefined;
  /** The server's own error code (`unauthenticated`, `token_expired`, `token_invalid`…), if it sent one. */
  declare readonly serverCode: string | undefined;
  /**
   * How long the server asked the client to wait (its `Retry-After` header, a number of seconds, in
   * ms, capped at 10 minutes), if it sent one: the hub does with every 429 and 503. Only a `fetch`
   * request can read it: the fetch transport and the version endpoint, never a native `EventSource`.
   */
  declare readonly retryAfterMs: number | undefined;

  /**
   * @param code - the kind of failure
   * @param details - HTTP status, server code, a detail for the message, and the cause
   */
  constructor(code: RealtimeBookingsErrorCode, details: RealtimeBookingsErrorDetails = {}) {
    const { status, detail, cause } = details;
    super(`${code}${status ? ` (HTTP ${status})` : ""}${detail ? `: ${detail}` : ""}`, { cause });
    Object.assign(this, { name: "RealtimeBookingsError", code, status, serverCode: details.serverCode, retryAfterMs: details.retryAfterMs });
  }

  /**
   * `true` when the client stopped because of this error and will not reconnect by itself
   * (401, 403, 204, no transport, bad options). Call `enable()` to try again, e.g. after signing in.
   */
  get fatal(): boolean {
    return ["invalid_options", "unsupported", "unauthorized", "forbidden", "no_content"].includes(this.code);
  }
}

/** `error` itself when it is a {@link RealtimeBookingsError}, else a `network_error` caused by it (internal). */
export const asError = (error: unknown): RealtimeBookingsError => (error instanceof RealtimeBookingsError ? error : new RealtimeBookingsError("network_error", { cause: error }));
