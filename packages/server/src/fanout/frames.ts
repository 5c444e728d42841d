import { type BookingEvent, type EventId, type ResyncReason, SSE_EVENTS, encodeSseMessage } from "@realtime-bookings/protocol";

/** An SSE message encoded once and written to every connection that may see it. @internal */
export interface Frame {
  /** The history id, absent for a legacy bare `PUBLISH`. */
  readonly id: EventId | undefined;
  /** The encoded bytes, shared by every connection. */
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();

/** Encodes a booking event once: `event: booking`, its `id:`, one-line JSON `data:`. @internal */
export const bookingFrame = (id: EventId | undefined, event: BookingEvent): Frame => ({
  id,
  bytes: encoder.encode(
    encodeSseMessage(id === undefined ? { event: SSE_EVENTS.booking, data: JSON.stringify(event) } : { event: SSE_EVENTS.booking, id, data: JSON.stringify(event) }),
  ),
});

const resyncFrames = new Map<ResyncReason, Frame>(
  (["history_exceeded", "history_lost", "invalid_id"] as const).map((reason) => [
    reason,
    { id: undefined, bytes: encoder.encode(encodeSseMessage({ event: SSE_EVENTS.resync, data: JSON.stringify({ reason }) })) },
  ]),
);

/** The `event: resync` frame for a reason. @internal */
export const resyncFrame = (reason: ResyncReason): Frame => resyncFrames.get(reason) as Frame;

const readyWithoutId = encoder.encode(encodeSseMessage({ event: SSE_EVENTS.ready, data: "{}" }));

/** The `event: ready` frame, with the connection's resume point when it has one. @internal */
export const readyFrame = (cursor: EventId | undefined): Uint8Array =>
  cursor === undefined ? readyWithoutId : encoder.encode(encodeSseMessage({ event: SSE_EVENTS.ready, id: cursor, data: "{}" }));

/** The heartbeat comment, shared by every connection. @internal */
export const HEARTBEAT = encoder.encode(encodeSseMessage({ comment: "ping" }));

/** The first bytes of a stream: the reconnection delay for this connection. @internal */
export const preamble = (retryMs: number): Uint8Array => encoder.encode(encodeSseMessage({ retry: retryMs }));

/** The bytes of several frames end to end, oldest first: one write for a connection that gets them all. @internal */
export function joinFrames(frames: readonly Frame[]): Uint8Array {
  if (frames.length === 1) return (frames[0] as Frame).bytes;
  let length = 0;
  for (const frame of frames) length += frame.bytes.byteLength;
  const joined = new Uint8Array(length);
  let at = 0;
  for (const frame of frames) {
    joined.set(frame.bytes, at);
    at += frame.bytes.byteLength;
  }
  return joined;
}

/**
 * The `event: reauth` frame: the stream's credentials expire at `expiresAt` (ms since the epoch); the
 * client opens its next stream with fresh credentials, resuming from its last id, and closes this one
 * once the new one is live. @internal
 */
export const reauthFrame = (expiresAt: number): Uint8Array =>
  encoder.encode(encodeSseMessage({ event: SSE_EVENTS.reauth, data: JSON.stringify({ expiresAt }) }));
