/**
 * What went wrong inside the hub:
 * - `invalid_event`: `publish()` was given something that is not a valid booking event (see `cause`,
 *   a `ProtocolError` naming the field);
 * - `invalid_options`: an option of {@link createBookingHub} or of a broker is out of range;
 * - `broker_timeout`: Redis did not answer within `brokerTimeoutMs`;
 * - `broker_error`: Redis answered with an error or the connection failed (see `cause`);
 * - `closed`: the hub or broker was closed.
 */
export type HubErrorCode = "invalid_event" | "invalid_options" | "broker_timeout" | "broker_error" | "closed";

/**
 * The one error type of `@realtime-bookings/server`. Branch on {@link HubError.code}; the message says
 * how to fix the call.
 *
 * @example
 * ```ts
 * try { await hub.publish(event); }
 * catch (error) { if (error instanceof HubError && error.code === "invalid_event") respond(400, error.message); }
 * ```
 */
export class HubError extends Error {
  /** The kind of failure. */
  readonly code: HubErrorCode;

  /**
   * @param code - the kind of failure
   * @param message - what went wrong and how to fix it
   * @param options - `cause`: the underlying error
   */
  constructor(code: HubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HubError";
    this.code = code;
  }
}

/**
 * Thrown by an app's `authenticate` hook to refuse a request with a reason the client can show.
 * The hub answers `status` (401 by default, or 403) with `{"error": reason, "message": message}` and
 * streams nothing.
 *
 * @example
 * ```ts
 * authenticate(request) {
 *   if (tokenExpired) throw new AuthenticationError("token_expired", "Sign in again.");
 *   return viewer;
 * }
 * ```
 */
export class AuthenticationError extends Error {
  /** A short machine-readable reason, e.g. `token_expired`; sent to the client as `error`. */
  readonly reason: string;
  /** 401 (who are you?) or 403 (not allowed). */
  readonly status: 401 | 403;
  /** Extra response headers, e.g. `WWW-Authenticate: Bearer error="invalid_token"`. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param reason - a short code such as `token_expired`, `token_invalid`, `forbidden`
   * @param message - a sentence for the user or developer
   * @param status - `401` (default) or `403`
   * @param headers - extra response headers, e.g. `WWW-Authenticate`
   */
  constructor(reason: string, message: string, status: 401 | 403 = 401, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = "AuthenticationError";
    this.reason = reason;
    this.status = status;
    this.headers = headers;
  }
}
