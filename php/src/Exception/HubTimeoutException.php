<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * A publish over HTTP was sent but no answer came within the timeout (on every attempt allowed): the
 * event may or may not have been stored (`maybePublished` is true). A {@see HubUnavailableException},
 * so one `catch` covers every "try later"; retry with the same idempotency key to publish it at most
 * once.
 */
final class HubTimeoutException extends HubUnavailableException
{
    public function __construct(string $detail, ?\Throwable $previous = null)
    {
        parent::__construct($detail, null, true, $previous);
    }
}
