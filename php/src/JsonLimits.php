<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\InvalidEventException;

/**
 * The hub's limits on untrusted JSON (packages/protocol `safeParseJson`), applied to the exact text
 * a publisher sends: at most 65,536 characters (counted in UTF-16 code units, as JavaScript counts
 * them), at most 16 levels of objects and arrays, no `__proto__`, `constructor` or `prototype` key
 * anywhere, and, because PHP integers are wider than JavaScript's numbers, no integer beyond
 * ±(2^53 - 1) anywhere (the hub would silently round it).
 *
 * @internal
 */
final class JsonLimits
{
    /** The hub's default `maxEventLength` (its DEFAULT_JSON_LIMITS.maxLength). */
    public const MAX_LENGTH = 65536;

    /** The hub's DEFAULT_JSON_LIMITS.maxDepth. */
    public const MAX_DEPTH = 16;

    /** Keys the hub refuses anywhere. */
    public const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

    /** The length of a string as JavaScript's `String.prototype.length` counts it (UTF-16 code units). */
    public static function utf16Length(string $utf8): int
    {
        // Every character is one unit, except those of four UTF-8 bytes (outside the BMP): two.
        $continuation = preg_match_all('/[\x80-\xBF]/', $utf8);
        $astral = preg_match_all('/[\xF0-\xF7]/', $utf8);
        return strlen($utf8) - (int) $continuation + (int) $astral;
    }

    /**
     * Checks the text's length, then decodes it and walks it (iteratively: depth is the subject) for
     * depth, forbidden keys and unsafe integers.
     *
     * @param string $json      the JSON text as it will be published
     * @param int    $maxLength the longest accepted text, in UTF-16 code units
     * @return mixed the decoded value, JSON objects as `stdClass` (so `{}` and `[]` stay apart)
     * @throws InvalidEventException too_large, invalid_json, too_deep, forbidden_key or invalid_field
     */
    public static function check(string $json, int $maxLength = self::MAX_LENGTH): mixed
    {
        $length = self::utf16Length($json);
        if ($length > $maxLength) {
            throw new InvalidEventException('too_large', "the event is $length characters long as JSON; the limit is $maxLength. Publish the ids and let the page load the rest");
        }
        try {
            $value = json_decode($json, false, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $error) {
            throw new InvalidEventException('invalid_json', 'the event does not survive a JSON round trip: ' . $error->getMessage(), null, $error);
        }
        /** @var list<array{0: mixed, 1: string, 2: int}> $stack */
        $stack = [[$value, '', 0]];
        while (($item = array_pop($stack)) !== null) {
            [$node, $path, $depth] = $item;
            if (is_int($node) && ($node > Ids::MAX_SAFE_INTEGER || $node < -Ids::MAX_SAFE_INTEGER)) {
                throw new InvalidEventException('invalid_field', ($path === '' ? 'a value' : $path) . " is the integer $node, outside JavaScript's exact range of ±(2^53 - 1): hubs would round it. Send it as a string", $path === '' ? null : $path);
            }
            if (!is_array($node) && !$node instanceof \stdClass) {
                continue;
            }
            if ($depth >= self::MAX_DEPTH) {
                throw new InvalidEventException('too_deep', 'the event nests deeper than ' . self::MAX_DEPTH . ' levels', $path === '' ? null : $path);
            }
            if (is_array($node)) {
                foreach ($node as $index => $child) {
                    $stack[] = [$child, "{$path}[$index]", $depth + 1];
                }
                continue;
            }
            foreach (get_object_vars($node) as $key => $child) {
                $key = (string) $key;
                $childPath = $path === '' ? $key : "$path.$key";
                if (in_array($key, self::FORBIDDEN_KEYS, true)) {
                    throw new InvalidEventException('forbidden_key', "key \"$key\" is not allowed", $childPath);
                }
                $stack[] = [$child, $childPath, $depth + 1];
            }
        }
        return $value;
    }
}
