<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Exception\RealtimeBookingsException;

/**
 * Publishes booking changes to the realtime-bookings hubs, whatever the transport: {@see Publisher}
 * writes to Redis with the atomic script, {@see HttpPublisher} POSTs to a hub's `/publish`. Both check
 * the event first exactly as the hubs do ({@see EventValidator}): an event they would refuse throws
 * {@see InvalidEventException} and nothing leaves PHP.
 *
 * Type your code against this interface and choose the transport in one place:
 *
 * ```php
 * function bookingSaved(RealtimeBookings\BookingPublisher $publisher, array $booking): void
 * {
 *     $publisher->publish('update', $booking);
 * }
 * ```
 */
interface BookingPublisher
{
    /**
     * Publishes one booking change: appended to the history (a reconnecting browser gets it on
     * resume), the version counters of its scope bumped (a polling browser sees it), delivered live.
     *
     * @param string                       $type           create, update, delete (or test)
     * @param array<array-key, mixed>      $booking        the row: id, specialist_id, workpoint_id, plus any field to show
     * @param array<array-key, mixed>|null $previous       for an update that moved the booking: its old specialist_id
     *                                                     and/or workpoint_id, so the viewers it left refresh too
     * @param string|null                  $origin         the id of the browser tab or client that made the change
     *                                                     (1-64 printable ASCII characters), so hubs skip echoing it back
     * @param string|null                  $idempotencyKey makes a retry safe: a publish repeated with the same key
     *                                                     returns the first publish's id instead of publishing twice
     *                                                     (1-255 printable ASCII characters; e.g. your outbox row's id)
     * @return string the history id, e.g. "1732800000000-0"
     * @throws InvalidEventException when hubs would refuse the event; nothing was sent
     * @throws RealtimeBookingsException when the transport fails (see the implementation)
     */
    public function publish(string $type, array $booking, ?array $previous = null, ?string $origin = null, ?string $idempotencyKey = null): string;

    /**
     * Publishes an event {@see EventValidator::validate()} already accepted (validate before saving the
     * booking, publish after).
     *
     * @param string|null $idempotencyKey see {@see publish()}
     * @return string the history id
     * @throws RealtimeBookingsException when the transport fails (see the implementation)
     */
    public function publishValidated(ValidatedEvent $event, ?string $idempotencyKey = null): string;
}
