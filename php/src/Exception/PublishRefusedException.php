<?php

declare(strict_types=1);

namespace RealtimeBookings\Exception;

/**
 * The hub answered a publish over HTTP with a refusal (a 4xx, or a 3xx: redirects are not
 * followed, so the token never travels elsewhere); nothing was published. Retrying the same request gets the same answer: fix the cause.
 *
 * - `status`: the HTTP status (401 credentials, 403 not allowed, 400/413 invalid event, 415, 422, …);
 * - `reason`: the hub's reason code, its body's `error` (`token_expired`, `token_signature`,
 *   `forbidden` for a viewer token, `publish_forbidden` for a workpoint outside a limited token,
 *   `invalid_event`, `too_large`, `idempotency_key_reused`, …), or `http_<status>` when the body had none;
 * - `errorCode` and `field`: for an invalid event, the protocol's code (`invalid_field`, …) and the
 *   path to blame (`data.workpoint_id`), as in {@see InvalidEventException}.
 */
final class PublishRefusedException extends \RuntimeException implements RealtimeBookingsException
{
    /**
     * @param int         $status    the HTTP status
     * @param string      $reason    the hub's reason code
     * @param string      $detail    the hub's message
     * @param string|null $errorCode the protocol's code of an invalid event
     * @param string|null $field     the dotted path of an invalid event's offending value
     */
    public function __construct(
        public readonly int $status,
        public readonly string $reason,
        string $detail,
        public readonly ?string $errorCode = null,
        public readonly ?string $field = null,
    ) {
        parent::__construct("realtime-bookings: the hub refused the publish ($status $reason): $detail", $status);
    }
}
