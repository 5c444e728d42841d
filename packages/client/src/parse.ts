import { BOOKING_CHANGE_TYPES, type BookingEvent, type ResyncReason } from "@realtime-bookings/protocol";
import type { ChangeEvent, ResyncEvent } from "./events.js";

type JsonRecord = Record<string, unknown>;

const isObject = (value: unknown): value is JsonRecord => typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses JSON text into an object, or `{}` when it is not a JSON object (internal). */
export const parseObject = (text: string): JsonRecord => {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
};

const TYPES: readonly unknown[] = [...BOOKING_CHANGE_TYPES, "test"];

/**
 * Reads the data of a `booking` event (internal). The hub validated the event before sending it, so
 * this checks only the shape the app relies on: a known `type` and an object `data` (else the result
 * is `undefined`); `previous` is kept when it is an object, `own: true` is added when the event's
 * `origin` is this page's client id, and every other top-level field is dropped.
 */
export function parseChange(text: string, id: string | undefined, clientId: string): ChangeEvent | undefined {
  const { type, data, previous, origin } = parseObject(text);
  return TYPES.includes(type) && isObject(data)
    ? ({ type, data, ...(isObject(previous) && { previous }), id, ...(origin === clientId && { own: true as const }) } as ChangeEvent)
    : undefined;
}

/** Reads the data of a `resync` event (internal). */
export function parseResync(text: string): ResyncEvent {
  const { reason } = parseObject(text);
  return { reason: typeof reason === "string" ? (reason as ResyncReason) : "unknown" };
}

/** Reads the body of the version endpoint, `{"version": <number>}` (internal), as text. */
export function parseVersion(text: string): string | undefined {
  const { version } = parseObject(text);
  return typeof version === "number" ? `${version}` : undefined;
}
