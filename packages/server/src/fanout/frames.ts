import { type BookingEvent, type EventId, type ResyncReason, SSE_EVENTS, encodeSseMessage } from "@realtime-bookings/protocol";

/** An SSE message encoded once and written to every connection that may see it. @internal */
export interface Frame {
  /** The history id, absent for a legacy bare `PUBLISH`. */
  readonly id: EventId | undefined;
  /** The encoded bytes, shared by every connection. */
  readonly bytes: Uint8Array;
}

/**
 * Frames are built on every event's path: Node's UTF-8 writer is faster than `TextEncoder`. Each frame
 * gets an ArrayBuffer of its own (never a slice of Node's shared pool), as `TextEncoder` gives.
 */
const encoder = {
  encode(text: string): Uint8Array {
    const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, "utf8"));
    bytes.write(text, "utf8");
    return bytes;
  },
};

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

/**
 * The `event: ready` frame, with the connection's resume point when it has one, and the heartbeat
 * interval as its data (`{"heartbeatMs":25000}`), so a client can tell a stalled stream (nothing
 * for twice that long) from a quiet one without being configured. @internal
 */
export const readyFrame = (cursor: EventId | undefined, heartbeatMs: number): Uint8Array => {
  const data = JSON.stringify({ heartbeatMs });
  return encoder.encode(encodeSseMessage(cursor === undefined ? { event: SSE_EVENTS.ready, data } : { event: SSE_EVENTS.ready, id: cursor, data }));
};

/**
 * The heartbeat, shared by every connection: a named event without an id (`event: heartbeat`,
 * `data: {}`) rather than a comment, because a native `EventSource` cannot see comments. Old
 * clients ignore an event name they do not listen to. @internal
 */
export const HEARTBEAT = encoder.encode(encodeSseMessage({ event: SSE_EVENTS.heartbeat, data: "{}" }));

/**
 * A heartbeat that also moves the client's resume point to `checkpoint` (see
 * `ScopeCursors.checkpoint`): a quiet viewer's `Last-Event-ID` keeps up with the history, so its next
 * resume replays what it missed instead of finding its id trimmed away. Both transports keep the id
 * of every event, heartbeats included. @internal
 */
export const checkpointFrame = (checkpoint: EventId): Uint8Array =>
  encoder.encode(encodeSseMessage({ event: SSE_EVENTS.heartbeat, id: checkpoint, data: "{}" }));

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
