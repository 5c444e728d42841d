<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * A constructor argument is wrong (a key prefix with a glob character, a short secret, a Redis
 * client configured with a key prefix or a serializer, a missing PHP extension). Thrown at once, when
 * the object is built, never later on a publish.
 */
final class ConfigurationException extends \InvalidArgumentException implements RealtimeBookingsException
{
    public function __construct(string $detail, ?\Throwable $previous = null)
    {
        parent::__construct('realtime-bookings: ' . $detail, 0, $previous);
    }
}
