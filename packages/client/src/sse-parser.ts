import { RealtimeBookingsError } from "./errors.js";

/** What the parser reports (internal). */
export interface SseHandlers {
  /** A dispatched event: its name (`message` when unnamed), data, and its own `id:` if it had one. */
  event(name: string, data: string, id: string | undefined): void;
  /** A `retry:` field made only of digits. */
  retry(ms: number): void;
  /** A comment line (an older hub's heartbeat). */
  comment(): void;
}

/** A stream that buffers more than this without ending an event is broken or hostile. */
const MAX_BUFFER = 1 << 20;

/**
 * A Server-Sent Events parser (internal), HTML §9.2.6, for decoded text fed chunk by chunk. CRLF, a
 * lone LF and a lone CR all end a line, also when a CRLF is split across chunks; `data:` lines join
 * with LF; one leading space of a value is dropped; an event without data is not dispatched; an `id`
 * containing NUL is ignored; `retry` counts only when it is all digits; a partial event at the end of
 * the stream is never dispatched. Unlike a browser, it reports an event's own `id:` only (the client
 * keeps the last id itself). A BOM is already gone: `TextDecoder` strips it.
 *
 * @returns the function to feed text to
 * @throws {@link RealtimeBookingsError} `invalid_response` from the feed when a line or an event
 *   grows past 1 MiB (booking events are far smaller)
 */
export function createSseParser(handlers: SseHandlers): (text: string) => void {
  let rest = "";
  let afterCR = false;
  let name = "";
  let data: string | undefined;
  let id: string | undefined;

  const line = (text: string): void => {
    if (!text) {
      if (data !== undefined) handlers.event(name || "message", data, id);
      name = "";
      data = id = undefined;
      return;
    }
    const colon = text.indexOf(":");
    if (!colon) return handlers.comment();
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? "" : text.slice(colon + 1);
    if (value[0] === " ") value = value.slice(1);
    if (field === "data") data = data === undefined ? value : `${data}\n${value}`;
    else if (field === "event") name = value;
    else if (field === "id") id = value.includes("\0") ? id : value || undefined;
    else if (field === "retry" && /^\d+$/.test(value)) handlers.retry(+value);
  };

  return (text) => {
    if (!text) return;
    if (afterCR && text[0] === "\n") text = text.slice(1);
    afterCR = text.endsWith("\r");
    const lines = (rest + text).split(/\r\n|\r|\n/);
    rest = lines.pop() as string;
    for (const each of lines) line(each);
    if (rest.length + (data?.length ?? 0) > MAX_BUFFER) throw new RealtimeBookingsError("invalid_response");
  };
}
