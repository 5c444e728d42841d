<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\InvalidEventException;

/**
 * Builds a booking event's JSON and checks it exactly as every hub will (packages/protocol
 * `safeParseChannelMessage`: `safeParseJson` then `safeParseBookingEvent`), so a publisher can refuse
 * what hubs would drop, before anything reaches Redis.
 *
 * The check runs on the JSON text itself, decoded again: what is validated is what is sent, whatever
 * PHP values (PDO strings, floats, `JsonSerializable` objects) produced it.
 */
final class EventValidator
{
    /** The event types: the three booking changes and `test` (a diagnostic). */
    public const TYPES = ['create', 'update', 'delete', 'test'];

    /**
     * The longest history id the hub accepts (`<15 digits>-<15 digits>`) plus `"id":"",`: the atomic
     * script adds that much to the event before publishing it, and the hub checks the length of what
     * it receives.
     */
    public const ID_OVERHEAD = 39;

    /** An `origin`: 1-64 printable ASCII characters without space (an Echo socket id, a tab id). */
    public const ORIGIN_PATTERN = '/^[\x21-\x7E]{1,64}$/D';

    private const SCOPE_FIELDS = ['specialist_id' => 'specialists', 'workpoint_id' => 'workpoints'];

    /**
     * @param string                   $type      create, update, delete or test
     * @param array<array-key, mixed>  $data      the booking: id, specialist_id, workpoint_id and any field to show
     * @param array<array-key, mixed>|null $previous for a move: the old specialist_id and/or workpoint_id
     *                                            (null entries are left out)
     * @param string|null              $origin    the publishing client's id, for no-echo
     * @param int                      $maxLength the longest accepted JSON, in UTF-16 code units
     * @throws InvalidEventException with the hub's rejection code and the field to blame
     */
    public static function validate(string $type, array $data, ?array $previous = null, ?string $origin = null, int $maxLength = JsonLimits::MAX_LENGTH - self::ID_OVERHEAD): ValidatedEvent
    {
        if (!in_array($type, self::TYPES, true)) {
            throw new InvalidEventException('invalid_field', 'type must be one of "create", "update", "delete", "test"', 'type');
        }
        if ($origin !== null && preg_match(self::ORIGIN_PATTERN, $origin) !== 1) {
            throw new InvalidEventException('invalid_field', 'origin must be 1-64 printable ASCII characters without spaces', 'origin');
        }
        $event = ['type' => $type, 'data' => $data === [] ? new \stdClass() : $data];
        $previous = $previous === null ? [] : array_filter($previous, fn ($value) => $value !== null);
        if ($previous !== []) {
            $event['previous'] = $previous;
        }
        if ($origin !== null) {
            $event['origin'] = $origin;
        }
        $json = self::encode($event);
        $decoded = JsonLimits::check($json, $maxLength);
        [$specialists, $workpoints] = self::scopeOf($decoded);
        return new ValidatedEvent($json, $specialists, $workpoints);
    }

    /** @param array<string, mixed> $event */
    private static function encode(array $event): string
    {
        try {
            return json_encode($event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
        } catch (\JsonException $error) {
            throw match ($error->getCode()) {
                JSON_ERROR_DEPTH => new InvalidEventException('too_deep', 'the event nests deeper than ' . JsonLimits::MAX_DEPTH . ' levels', null, $error),
                JSON_ERROR_UTF8, JSON_ERROR_UTF16 => new InvalidEventException('invalid_field', 'a string of the event is not valid UTF-8', null, $error),
                JSON_ERROR_INF_OR_NAN => new InvalidEventException('invalid_field', 'INF and NAN cannot be sent as JSON', null, $error),
                default => new InvalidEventException('invalid_json', 'the event cannot be encoded as JSON: ' . $error->getMessage(), null, $error),
            };
        }
    }

    /**
     * The hub's `safeParseBookingEvent`, on the decoded JSON.
     *
     * @return array{0: list<string>, 1: list<string>}
     */
    private static function scopeOf(mixed $event): array
    {
        if (!$event instanceof \stdClass) {
            throw new InvalidEventException('invalid_field', 'an event must be a JSON object');
        }
        $data = $event->data ?? null;
        if (!$data instanceof \stdClass) {
            throw new InvalidEventException('invalid_field', 'data must be an object (an array with the booking\'s fields)', 'data');
        }
        $isTest = $event->type === 'test';
        $sets = ['specialists' => [], 'workpoints' => []];
        if (!$isTest) {
            self::id($data, 'id', 'data.id');
        }
        foreach (self::SCOPE_FIELDS as $field => $set) {
            if ($isTest && !property_exists($data, $field)) {
                continue;
            }
            $sets[$set][] = self::id($data, $field, "data.$field");
        }
        if (isset($event->previous)) {
            if ($isTest) {
                throw new InvalidEventException('invalid_field', 'a test event has no previous scope', 'previous');
            }
            if (!$event->previous instanceof \stdClass) {
                throw new InvalidEventException('invalid_field', 'previous must be an object (an array with specialist_id and/or workpoint_id)', 'previous');
            }
            foreach (self::SCOPE_FIELDS as $field => $set) {
                if (property_exists($event->previous, $field)) {
                    $sets[$set][] = self::id($event->previous, $field, "previous.$field");
                }
            }
        }
        // A move within one scope names it twice: each counter is bumped once.
        return [array_values(array_unique($sets['specialists'])), array_values(array_unique($sets['workpoints']))];
    }

    private static function id(\stdClass $object, string $property, string $field): string
    {
        [$id, $error] = Ids::canonical($object->{$property} ?? null, $field);
        if ($id === null) {
            throw new InvalidEventException($error[0] ?? 'invalid_field', $error[1] ?? "$field is invalid", $field);
        }
        return $id;
    }
}
