<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * Redis failed or answered something unexpected (connection lost, timeout, a server error). A
 * publish that throws this may or may not have happened: the atomic script either ran completely or
 * not at all, so retrying can at worst publish the event twice, never half of it.
 */
final class RedisFailureException extends \RuntimeException implements RealtimeBookingsException
{
    public function __construct(string $detail, ?\Throwable $previous = null)
    {
        parent::__construct('realtime-bookings: Redis failed: ' . $detail, 0, $previous);
    }
}
