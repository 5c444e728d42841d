<?php

declare(strict_types=1);

namespace RealtimeBookings\Http;

/**
 * No HTTP answer: the connection failed, or the answer did not come in time. {@see \RealtimeBookings\HttpPublisher}
 * turns it into a public exception.
 *
 * @internal
 */
final class TransportFailure extends \RuntimeException
{
    /**
     * @param bool $sent     whether the request may have reached the hub (so the event may be stored)
     * @param bool $timedOut whether it was sent and the answer did not come in time
     */
    public function __construct(string $detail, public readonly bool $sent, public readonly bool $timedOut)
    {
        parent::__construct($detail);
    }
}
