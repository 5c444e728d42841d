<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * A viewer (`['role' => 'specialist', 'specialist_id' => 3]`) the hub would not accept: an unknown
 * role, or a missing or malformed scope id. `errorCode` is `missing_field` or `invalid_field`.
 */
final class InvalidViewerException extends \InvalidArgumentException implements RealtimeBookingsException
{
    /**
     * @param string      $errorCode `missing_field` or `invalid_field`
     * @param string      $detail    what was wrong and how to fix it
     * @param string|null $field     the offending field (`role`, `workpoint_id`, `specialist_id`)
     */
    public function __construct(
        public readonly string $errorCode,
        string $detail,
        public readonly ?string $field = null,
    ) {
        parent::__construct('realtime-bookings: invalid viewer: ' . $detail);
    }
}
