/**
 * What went wrong inside the hub:
 * - `invalid_event`: `publish()` was given something that is not a valid booking event (see `cause`,
 *   a `ProtocolError` naming the field);
 * - `invalid_options`: an option of {@link createBookingHub} or of a broker is out of range;
 * - `broker_timeout`: Redis did not answer within `brokerTimeoutMs`;
 * - `broker_error`: Redis answered with an error or the connection failed (see `cause`);
 * - `closed`: the hub or broker was closed;
 * - `invalid_idempotency_key`: the idempotency key is not 1–255 visible ASCII characters;
 * - `idempotency_key_reused`: the idempotency key was already used, within its window, for a
 *   different event: nothing was published (use a new key for a new event).
 */
export type HubErrorCode =
  | "invalid_event"
  | "invalid_options"
  | "broker_timeout"
  | "broker_error"
  | "closed"
  | "invalid_idempotency_key"
  | "idempotency_key_reused";

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
 * Why a viewer token was refused. Sent to the client as the `error` field of a 401 body, so a page can
 * say what to do ("sign in again" for `token_expired`, "contact the admin" for `token_algorithm`):
 *
 * - `token_missing`: no token in the `Authorization: Bearer` header, the cookie or the query parameter;
 * - `token_invalid`: not a well-formed JWT (not three base64url parts, not JSON, too long), an
 *   `Authorization` header that is not exactly `Bearer <token>`, or a header that marks an extension
 *   this hub does not implement as critical (`crit`, RFC 7515 §4.1.11);
 * - `token_algorithm`: its `alg` is not on the hub's allowlist (`none`, or HS384 when only HS256 is
 *   accepted, or an HMAC token sent to a hub that only has a public key);
 * - `token_signature`: the signature does not match the hub's key (wrong secret, tampered, unsigned);
 * - `token_expired`: `exp` is in the past (beyond the clock tolerance);
 * - `token_not_yet_valid`: `nbf` is in the future (beyond the clock tolerance);
 * - `token_claims`: a claim is missing or wrong: no `exp`, an `exp`, `nbf` or `iat` that is not a
 *   number, an unknown `role`, a bad `specialist_id` or `workpoint_id`, a `sub` or `jti` that is not a
 *   short string, or `iss`/`aud` not the expected ones.
 */
export type TokenFailureReason =
  | "token_missing"
  | "token_invalid"
  | "token_algorithm"
  | "token_signature"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_claims";

/**
 * The reasons an {@link AuthenticationError} can carry, sent to the client as the `error` field of the
 * refusal: every {@link TokenFailureReason} (what `jwtAuthenticator` refuses with), plus
 *
 * - `unauthenticated`: no credentials at all (the hub's own answer when `authenticate` returns `null`);
 * - `forbidden`: the user is known but may not watch (use it with status 403).
 */
export type AuthenticationReason = TokenFailureReason | "unauthenticated" | "forbidden";

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
  readonly reason: AuthenticationReason;
  /** 401 (who are you?) or 403 (not allowed). */
  readonly status: 401 | 403;
  /** Extra response headers, e.g. `WWW-Authenticate: Bearer error="invalid_token"`. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * @param reason - one of the documented {@link AuthenticationReason}s, e.g. `token_expired`, `forbidden`
   * @param message - a sentence for the user or developer
   * @param status - `401` (default) or `403`
   * @param headers - extra response headers, e.g. `WWW-Authenticate`
   */
  constructor(reason: AuthenticationReason, message: string, status: 401 | 403 = 401, headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = "AuthenticationError";
    this.reason = reason;
    this.status = status;
    this.headers = headers;
  }
}
