import { createParser } from "eventsource-parser";
import { RealtimeBookingsError } from "../errors.js";
import type { FetchLike, ReaderLike, RealtimeEnvironment } from "../environment.js";
import { get, withLastEventId } from "../http.js";
import type { Transport, TransportHandlers, TransportRequest } from "./transport.js";

/**
 * Opens an event stream with `fetch` and parses it with eventsource-parser (internal). Unlike a
 * native `EventSource` it can send headers (`Authorization`, `Last-Event-ID`), sees the HTTP status,
 * honours `retry:`, and sees heartbeat comments: when nothing at all arrives for `stallMs`, the
 * connection is presumed dead (a half-open TCP link, a proxy that stopped forwarding) and closed.
 *
 * @param stallMs - silence after which the stream counts as dead; 0 disables the watchdog
 */
export function openFetchStream(
  fetch: FetchLike,
  env: Pick<RealtimeEnvironment, "setTimeout" | "clearTimeout">,
  request: TransportRequest,
  handlers: TransportHandlers,
  stallMs: number,
): Transport {
  const controller = new AbortController();
  const { url, lastEventId } = request;
  let done = false;
  let watchdog: unknown;
  let reader: ReaderLike | undefined;

  const finish = (error?: RealtimeBookingsError): void => {
    if (done) return;
    done = true;
    env.clearTimeout(watchdog);
    // Aborting releases the request; cancelling the reader also ends a pending read() where an
    // implementation does not error the body on abort.
    controller.abort();
    reader?.cancel().catch(() => undefined);
    if (error) handlers.close(error);
  };
  /** (Re)arms the watchdog; called whenever bytes arrive (events are rare, so this is cheap). */
  const watch = (): void => {
    env.clearTimeout(watchdog);
    if (stallMs > 0) watchdog = env.setTimeout(() => finish(new RealtimeBookingsError("stalled")), stallMs);
  };
  const parser = createParser({
    onEvent: (message) => done || handlers.message(message.event ?? "message", message.data, message.id || undefined),
    onRetry: (ms) => done || handlers.retry(ms),
    // Booking events are far smaller: a stream that buffers a megabyte is broken or hostile. The
    // parser then refuses the next chunk, and the thrown error closes the connection.
    maxBufferSize: 1 << 20,
  });

  const run = async (): Promise<void> => {
    const headers = { Accept: "text/event-stream", ...(lastEventId && { "Last-Event-ID": lastEventId }), ...request.headers };
    const response = await get(fetch, withLastEventId(url, lastEventId), headers, request.withCredentials, controller.signal, true);
    const type = response.headers.get("content-type") ?? "";
    const body = response.status === 200 && /^text\/event-stream/i.test(type) && response.body;
    if (done || !body) throw new RealtimeBookingsError("invalid_response", { status: response.status, detail: type });
    const decoder = new TextDecoder();
    reader = body.getReader();
    handlers.open();
    if (!done) watch();
    for (let chunk = await reader.read(); !done; chunk = await reader.read()) {
      if (chunk.done) throw new RealtimeBookingsError("stream_ended");
      watch();
      parser.feed(decoder.decode(chunk.value, { stream: true }));
    }
  };
  run().catch((error: unknown) =>
    finish(error instanceof RealtimeBookingsError ? error : new RealtimeBookingsError("network_error", { cause: error })),
  );
  return { close: () => finish() };
}
