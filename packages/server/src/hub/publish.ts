import { type BookingEvent, DEFAULT_JSON_LIMITS, type EventId, type JsonLimits, safeParseBookingMessage, versionKeysOf } from "@realtime-bookings/protocol";
import type { Broker } from "../brokers/types.js";
import { HubError } from "../errors.js";

/** The most the publish script adds to the event on the channel: `"id":"<15 digits>-<15 digits>",`. */
const ID_FIELD_LENGTH = '"id":"'.length + 31 + '",'.length;

/**
 * Publishes one booking event through the broker's atomic publish: the event is serialized once and
 * validated once, exactly as every hub will validate it on the channel (size, depth, keys, types), so
 * nothing is stored that a hub would refuse.
 *
 * @throws {@link HubError} `invalid_event` (with the `ProtocolError` as `cause`), or the broker's error
 * @internal
 */
export async function publishEvent(
  broker: Broker,
  event: BookingEvent,
  limits: JsonLimits,
  guard: <T>(call: () => Promise<T>) => Promise<T>,
): Promise<EventId> {
  let json: string | undefined;
  try {
    json = JSON.stringify(event);
  } catch (error) {
    throw new HubError("invalid_event", "the event cannot be serialized as JSON", { cause: error });
  }
  // Checked as hubs will check the channel message, which carries the id too: nothing stored is too long.
  const parsed = safeParseBookingMessage(json ?? "", { ...limits, maxLength: (limits.maxLength ?? DEFAULT_JSON_LIMITS.maxLength) - ID_FIELD_LENGTH });
  if (!parsed.ok) throw new HubError("invalid_event", `invalid booking event: ${parsed.error.message}`, { cause: parsed.error });
  // The text just validated is what goes out: every hub re-validates and re-serializes it on the way in.
  return guard(() => broker.publish(json as string, versionKeysOf(broker.keys, parsed.value.scope)));
}
