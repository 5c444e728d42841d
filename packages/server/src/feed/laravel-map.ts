import type { BookingEvent, JsonObject, JsonValue } from "@realtime-bookings/protocol";

/**
 * One message of Laravel's Redis broadcaster, as the hub hands it to a {@link LaravelMapper}.
 * `Illuminate\Broadcasting\Broadcasters\RedisBroadcaster::broadcast` publishes
 * `json_encode(['event' => $event, 'data' => $payload, 'socket' => $socket])` on every channel of the
 * event (with Laravel's Redis key prefix in front of the channel name). Untrusted: the hub validates
 * whatever the mapper makes of it.
 */
export interface LaravelBroadcast {
  /** The Redis channel it came on, prefix included, e.g. `laravel_database_private-bookings.3`. */
  readonly channel: string;
  /** The event name: the event's class, or what its `broadcastAs()` returns. */
  readonly event: JsonValue | undefined;
  /**
   * The payload: what the event's `broadcastWith()` returns (else its public properties). Always an
   * object: a broadcast whose `data` is not one is rejected before any mapper sees it.
   */
  readonly data: JsonObject;
  /**
   * The sender's socket id (`X-Socket-ID`, set when the app broadcasts with `->toOthers()`), or
   * `null`.
   */
  readonly socket: JsonValue | undefined;
}

/**
 * Turns a {@link LaravelBroadcast} into a booking event, or `null` when it is not one (it is then
 * rejected and counted in `messagesRejected`). Whatever it returns is validated exactly like a
 * message on the bookings channel (ids, type, `previous`, `origin`, size, depth, no `__proto__`):
 * a mapper need not check, and cannot let anything invalid through. A mapper that throws rejects the
 * message too.
 *
 * @example
 * ```ts
 * // broadcastWith() returns ['booking' => $booking->only('id', 'specialist_id', 'workpoint_id')]
 * const map: LaravelMapper = ({ event, data }) =>
 *   event === "booking.saved" ? { type: "update", data: data["booking"] as BookingData } : null;
 * ```
 */
export type LaravelMapper = (message: LaravelBroadcast) => BookingEvent | null | undefined;

/** Where Laravel broadcasts come from and how they become booking events: the `laravel` hub option. */
export interface LaravelOptions {
  /**
   * A Redis glob pattern (`PSUBSCRIBE`) matching the channels the app broadcasts booking changes on,
   * Laravel's Redis prefix included, e.g. `laravel_database_*bookings*`. Keep it narrow: every
   * message on a matching channel that is not a booking event is rejected and counted.
   */
  readonly channels: string;
  /** @defaultValue {@link laravelBookingEvent} */
  readonly map?: LaravelMapper | undefined;
}

/**
 * The default {@link LaravelMapper}: the broadcast's `data` carries the booking change, as an event's
 * `broadcastWith()` returns it:
 *
 * - `type`: `create`, `update` or `delete`;
 * - `id`, `specialist_id`, `workpoint_id`: the booking's, after the change;
 * - `previous` (optional): `{specialist_id, workpoint_id}` before a move, so the old scope hears of it;
 * - any further field is carried to the viewers, like any booking field.
 *
 * The broadcast's `socket` (Echo's `X-Socket-ID`) becomes the event's `origin`, so the browser that
 * made the change does not refresh for it. Anything wrong (no `id`, an unknown `type`…) is caught
 * by the validation that follows.
 *
 * @param message - the broadcast
 * @returns the booking event to validate
 * @example
 * ```json
 * {"event":"App\\Events\\BookingChanged","data":{"type":"update","id":42,"specialist_id":5,"workpoint_id":2,"previous":{"specialist_id":3,"workpoint_id":1}},"socket":"1234.5678"}
 * ```
 * becomes
 * ```json
 * {"type":"update","data":{"id":42,"specialist_id":5,"workpoint_id":2},"previous":{"specialist_id":3,"workpoint_id":1},"origin":"1234.5678"}
 * ```
 */
export function laravelBookingEvent(message: LaravelBroadcast): BookingEvent {
  // Some Laravel versions leave `socket` inside `data` as well (the payload is copied before the pull).
  const { type, previous, socket: _socket, ...booking } = message.data;
  const { socket } = message;
  const candidate: Record<string, unknown> = { type, data: booking };
  if (previous !== undefined && previous !== null) candidate["previous"] = previous;
  if (socket !== undefined && socket !== null) candidate["origin"] = socket;
  // Validated by the caller (safeParseBookingEvent): the cast only names what it must turn out to be.
  return candidate as unknown as BookingEvent;
}
