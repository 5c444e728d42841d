<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * A publish over HTTP did not go through: the hub could not be reached, or it answered 5xx on every
 * attempt (its 503 while Redis is unavailable or it shuts down, a proxy's 502/504). Try again later; with the same idempotency key a later
 * retry is safe even when the event was in fact stored.
 *
 * - `retryAfter`: the seconds the hub asked to wait (its last `Retry-After`), or null;
 * - `maybePublished`: false when the request never reached the hub (connection refused, name not
 *   found); true when it may have been stored (a 5xx other than the hub's `shutting_down`, no answer in time).
 */
class HubUnavailableException extends \RuntimeException implements RealtimeBookingsException
{
    public function __construct(
        string $detail,
        public readonly ?int $retryAfter = null,
        public readonly bool $maybePublished = false,
        ?\Throwable $previous = null,
    ) {
        parent::__construct('realtime-bookings: the hub is unavailable: ' . $detail, 0, $previous);
    }
}
