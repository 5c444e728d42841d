<?php

declare(strict_types=1);

namespace RealtimeBookings;

/**
 * Ids of bookings, specialists and workpoints, checked by the protocol's rule (packages/protocol
 * `safeParseId`): a non-negative integer no larger than 2^53 - 1 (JavaScript's safe range, since the
 * hub is JavaScript), or 1-64 characters of `A-Z a-z 0-9 _ -`. `42` and `"42"` are the same id (PDO
 * returns integers as strings); canonical ids never hold `:` or a glob character, so no key built from
 * one can collide with another scope's (`workpoint:1` vs `workpoint:12`).
 *
 * @internal
 */
final class Ids
{
    /** The largest integer JavaScript represents exactly, 2^53 - 1. */
    public const MAX_SAFE_INTEGER = 9007199254740991;

    private const PATTERN = '/^[A-Za-z0-9_-]{1,64}$/D';

    /**
     * The canonical text of an id, or null with the reason in `$error` (`[code, message]`).
     *
     * @param mixed  $value the id as it will reach the hub (after JSON decoding)
     * @param string $field the dotted path named in the error
     * @return array{0: string|null, 1: array{0: string, 1: string}|null}
     */
    public static function canonical(mixed $value, string $field): array
    {
        if ($value === null) {
            return [null, ['missing_field', "$field is required"]];
        }
        if (is_int($value)) {
            if ($value >= 0 && $value <= self::MAX_SAFE_INTEGER) {
                return [(string) $value, null];
            }
            return [null, ['invalid_field', "$field must be a non-negative integer up to 2^53 - 1 or an id string, got $value"]];
        }
        if (is_float($value)) {
            // The hub sees JSON numbers: 3.0 is the integer 3 there, and -0.0 is 0.
            if (is_finite($value) && floor($value) === $value && $value >= 0 && $value <= self::MAX_SAFE_INTEGER) {
                return [sprintf('%.0f', $value), null];
            }
            return [null, ['invalid_field', "$field must be a non-negative integer up to 2^53 - 1 or an id string, got " . var_export($value, true)]];
        }
        if (is_string($value) && preg_match(self::PATTERN, $value) === 1) {
            return [$value, null];
        }
        return [null, ['invalid_field', "$field must be a non-negative integer or 1-64 characters of A-Z, a-z, 0-9, \"_\" and \"-\""]];
    }
}
