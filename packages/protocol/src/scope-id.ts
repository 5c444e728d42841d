import { type ParseResult, fail } from "./errors.js";

/**
 * An identifier of a booking, a specialist or a workpoint as publishers send it: a non-negative safe
 * integer (`42`) or a short string of letters, digits, `_` and `-` (`"42"`, `"wp-north"`).
 * PHP's PDO returns integers as strings, so `42` and `"42"` name the same thing.
 */
export type Id = string | number;

/**
 * The canonical text form of an {@link Id}: the decimal digits of a number, or the string itself.
 * Canonical ids never contain `:`, `*`, `?`, `[`, whitespace or any separator, so a key or an index
 * built from one can never collide with another scope's (workpoint `1` vs `12`, `1:2` vs `1`).
 */
export type CanonicalId = string & { readonly __brand: "CanonicalId" };

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Checks an untrusted value as an {@link Id} and returns its {@link CanonicalId}.
 *
 * @param value - the untrusted value
 * @param field - the dotted path named in the error, e.g. `data.workpoint_id`
 * @returns the canonical id, or an `invalid_field` / `missing_field` error naming `field`
 * @example
 * ```ts
 * safeParseId("12", "workpoint_id"); // { ok: true, value: "12" }
 * safeParseId("1:2", "workpoint_id"); // { ok: false, error: ProtocolError(invalid_field) }
 * ```
 */
export function safeParseId(value: unknown, field: string): ParseResult<CanonicalId> {
  if (value === undefined || value === null) return fail("missing_field", `${field} is required`, field);
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && value >= 0) return { ok: true, value: String(value) as CanonicalId };
    return fail("invalid_field", `${field} must be a non-negative integer or an id string, got ${value}`, field);
  }
  if (typeof value === "string" && ID_PATTERN.test(value)) return { ok: true, value: value as CanonicalId };
  return fail(
    "invalid_field",
    `${field} must be a non-negative integer or 1-64 characters of A-Z, a-z, 0-9, "_" and "-"`,
    field,
  );
}
