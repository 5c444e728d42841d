import type { EventId } from "@realtime-bookings/protocol";

/**
 * The channel message for an event with its history id, exactly as the Lua publish script builds it:
 * the event JSON with `"id"` inserted as its first field.
 *
 * @internal
 */
export const withEventId = (id: EventId, eventJson: string): string => `{"id":"${id}",${eventJson.slice(1)}`;
