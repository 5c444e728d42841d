<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * Every exception this package throws implements this interface, so one `catch` covers them all.
 */
interface RealtimeBookingsException extends \Throwable
{
}
