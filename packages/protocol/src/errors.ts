/**
 * What went wrong with a value that crossed a trust boundary (a Redis message, a viewer returned by an
 * app's hook, a value handed to the SSE encoder).
 *
 * - `invalid_json`: the text is not JSON.
 * - `too_large`: the text is longer than the documented limit.
 * - `too_deep`: the JSON nests deeper than the documented limit.
 * - `forbidden_key`: a `__proto__`, `constructor` or `prototype` key appears anywhere.
 * - `missing_field`: a required field is absent.
 * - `invalid_field`: a field is present but has the wrong type or shape.
 * - `invalid_frame`: a value would break an SSE frame (CR, LF or NUL in an `event` or `id`).
 */
export type ProtocolErrorCode =
  | "invalid_json"
  | "too_large"
  | "too_deep"
  | "forbidden_key"
  | "missing_field"
  | "invalid_field"
  | "invalid_frame";

/**
 * The one error type of `@realtime-bookings/protocol`. It never escapes as a bare `TypeError`: every
 * rejection names its {@link ProtocolError.code | code} and, where one is to blame, the
 * {@link ProtocolError.field | field} (a dotted path such as `data.specialist_id`).
 *
 * @example
 * ```ts
 * const result = safeParseBookingMessage(text);
 * if (!result.ok) console.warn(result.error.code, result.error.field, result.error.message);
 * ```
 */
export class ProtocolError extends Error {
  /** The kind of failure, stable across versions; branch on this, not on the message. */
  readonly code: ProtocolErrorCode;
  /** The dotted path of the offending field, when one field is to blame. */
  readonly field: string | undefined;

  /**
   * @param code - the kind of failure
   * @param message - a sentence that says what was wrong and how to fix it
   * @param field - the dotted path of the offending field, if any
   */
  constructor(code: ProtocolErrorCode, message: string, field?: string) {
    super(message);
    this.name = "ProtocolError";
    this.code = code;
    this.field = field;
  }
}

/**
 * The outcome of a `safeParse…` function: the value, or the {@link ProtocolError} that says why not.
 * Hot paths use these instead of exceptions.
 */
export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ProtocolError };

/** @internal */
export const fail = (code: ProtocolErrorCode, message: string, field?: string): { ok: false; error: ProtocolError } => ({
  ok: false,
  error: new ProtocolError(code, message, field),
});
