import { type ParseResult, fail } from "./errors.js";

/**
 * How long a publish's idempotency record lasts: 24 hours. A retry with the same key within it gets
 * the first publish's id and publishes nothing; after it, the key is free again.
 */
export const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/** The longest idempotency key accepted (Stripe's bound). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

const KEY_PATTERN = /^[\x21-\x7e]+$/;

/**
 * Checks an idempotency key (an `Idempotency-Key` header, a `--idempotency-key` flag, the
 * `idempotencyKey` option): 1–255 visible ASCII characters (`!` to `~`, no space, no control
 * character). A UUID is the usual choice. The key is untrusted: publishers store only its SHA-256.
 *
 * @param value - the key as given
 * @returns the key, or a {@link ProtocolError} `invalid_field` (field `idempotencyKey`) that says why
 * @example
 * ```ts
 * safeParseIdempotencyKey("3f0c9a1e-5d1b-4f7e-9a61-0c2b8f1d7e44"); // { ok: true, value: "3f0c…" }
 * safeParseIdempotencyKey(""); // { ok: false, error: ProtocolError("invalid_field") }
 * ```
 */
export function safeParseIdempotencyKey(value: unknown): ParseResult<string> {
  if (typeof value !== "string") return fail("invalid_field", "the idempotency key must be a string", "idempotencyKey");
  if (value.length < 1 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH || !KEY_PATTERN.test(value)) {
    return fail("invalid_field", `the idempotency key must be 1-${MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters (no spaces), e.g. a UUID`, "idempotencyKey");
  }
  return { ok: true, value };
}
