import { SSE_EVENTS } from "@realtime-bookings/protocol";
import { RealtimeBookingsError, asError } from "../errors.js";
import type { FetchLike, ReaderLike } from "../environment.js";
import { type Credentials, get } from "../http.js";
import { createSseParser } from "../sse-parser.js";
import type { Transport, TransportHandlers } from "./transport.js";

/**
 * Opens an event stream with `fetch` and parses it with {@link createSseParser} (internal). Unlike a
 * native `EventSource` it can send headers (`Authorization`, `Last-Event-ID`), sees the HTTP status,
 * honours `retry:`, and reports a comment (an older hub's heartbeat) as a `heartbeat` event, so the
 * client's stall watchdog sees it.
 */
export function openFetchStream(fetch: FetchLike, url: string, lastEventId: string | undefined, options: Credentials, handlers: TransportHandlers): Transport {
  const controller = new AbortController();
  let done = false;
  let reader: ReaderLike | undefined;

  const finish = (error?: RealtimeBookingsError): void => {
    if (done) return;
    done = true;
    // Aborting releases the request; cancelling the reader also ends a pending read() where an
    // implementation does not error the body on abort.
    controller.abort();
    reader?.cancel().catch(() => undefined);
    if (error) handlers.close(error);
  };
  const feed = createSseParser({
    event: (name, data, id) => done || handlers.message(name, data, id),
    retry: (ms) => done || handlers.retry(ms),
    comment: () => done || handlers.message(SSE_EVENTS.heartbeat, "", undefined),
  });

  const run = async (): Promise<void> => {
    const headers = { Accept: "text/event-stream", ...(lastEventId && { "Last-Event-ID": lastEventId }) };
    const response = await get(fetch, url, headers, options, controller.signal, true);
    const type = response.headers.get("content-type") ?? "";
    const body = response.status === 200 && /^text\/event-stream/i.test(type) && response.body;
    if (done || !body) throw new RealtimeBookingsError("invalid_response", { status: response.status, detail: type });
    const decoder = new TextDecoder();
    reader = body.getReader();
    handlers.open();
    for (let chunk = await reader.read(); !done; chunk = await reader.read()) {
      if (chunk.done) throw new RealtimeBookingsError("stream_ended");
      feed(decoder.decode(chunk.value, { stream: true }));
    }
  };
  run().catch((error: unknown) =>
    finish(asError(error)),
  );
  return { close: () => finish() };
}
