import { ProtocolError } from "./errors.js";

/**
 * One Server-Sent Events message. Every field is optional; a message with only `comment` is a
 * heartbeat, one with only `retry` sets the client's reconnection delay.
 */
export interface SseMessage {
  /** The event name (`event:` field). Must not contain CR, LF or NUL. */
  readonly event?: string;
  /** The event id (`id:` field). Must not contain CR, LF or NUL. */
  readonly id?: string;
  /** The payload; a multi-line value is split into one `data:` line per line. */
  readonly data?: string;
  /** The reconnection delay in milliseconds (`retry:` field): a non-negative integer. */
  readonly retry?: number;
  /** A comment line (`: …`), ignored by clients; used for heartbeats. */
  readonly comment?: string;
}

/** The response headers of an SSE stream that no proxy or compressor buffers. */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  "X-Accel-Buffering": "no",
} as const;

const LINE_BREAK = /\r\n|\r|\n/;
const FORBIDDEN_IN_FIELD = /[\r\n\0]/;

function checkField(name: "event" | "id", value: string): void {
  if (FORBIDDEN_IN_FIELD.test(value)) {
    throw new ProtocolError("invalid_frame", `SSE ${name} must not contain CR, LF or NUL`, name);
  }
}

/**
 * Encodes one SSE message so that no value can break the frame: CR, LF or NUL in `event` or `id` is
 * rejected, and `data` and `comment` are split on every CRLF, lone CR and lone LF (HTML §9.2.6) so each
 * line becomes its own field instead of injecting one.
 *
 * @param message - the fields to encode
 * @returns the frame, ending with the blank line that dispatches it
 * @throws {@link ProtocolError} `invalid_frame` for CR/LF/NUL in `event` or `id`, or a bad `retry`
 * @example
 * ```ts
 * encodeSseMessage({ event: "booking", id: "1-0", data: '{"type":"create"}' });
 * // 'event: booking\nid: 1-0\ndata: {"type":"create"}\n\n'
 * ```
 */
export function encodeSseMessage(message: SseMessage): string {
  let frame = "";
  if (message.comment !== undefined) {
    for (const line of message.comment.split(LINE_BREAK)) frame += `: ${line}\n`;
  }
  if (message.event !== undefined) {
    checkField("event", message.event);
    frame += `event: ${message.event}\n`;
  }
  if (message.id !== undefined) {
    checkField("id", message.id);
    frame += `id: ${message.id}\n`;
  }
  if (message.retry !== undefined) {
    if (!Number.isSafeInteger(message.retry) || message.retry < 0) {
      throw new ProtocolError("invalid_frame", "SSE retry must be a non-negative integer of milliseconds", "retry");
    }
    frame += `retry: ${message.retry}\n`;
  }
  if (message.data !== undefined) {
    for (const line of message.data.split(LINE_BREAK)) frame += `data: ${line}\n`;
  }
  return `${frame}\n`;
}
