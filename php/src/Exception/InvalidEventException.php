<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * The event would be refused by every hub, so nothing was published: not to the history, not to the
 * version counters, not to the channel.
 *
 * `errorCode` is the hub's own rejection code (the protocol's `ProtocolErrorCode`):
 * `too_large`, `too_deep`, `forbidden_key`, `missing_field`, `invalid_field` or `invalid_json`.
 * `field` is the dotted path of the offending value when one is to blame (`data.specialist_id`).
 */
final class InvalidEventException extends \InvalidArgumentException implements RealtimeBookingsException
{
    /** The codes, identical to the protocol's. */
    public const CODES = ['invalid_json', 'too_large', 'too_deep', 'forbidden_key', 'missing_field', 'invalid_field'];

    /**
     * @param string      $errorCode one of {@see self::CODES}
     * @param string      $detail    what was wrong and how to fix it
     * @param string|null $field     the dotted path of the offending value
     */
    public function __construct(
        public readonly string $errorCode,
        string $detail,
        public readonly ?string $field = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct('realtime-bookings: invalid booking event: ' . $detail, 0, $previous);
    }
}
