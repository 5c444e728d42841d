import { SSE_EVENTS } from "@realtime-bookings/protocol";
import { RealtimeBookingsError } from "../errors.js";
import type { EventSourceConstructor, EventSourceEventLike, EventSourceLike } from "../environment.js";
import { statusError } from "../http.js";
import type { Transport, TransportHandlers } from "./transport.js";

const NAMES = [SSE_EVENTS.ready, SSE_EVENTS.booking, SSE_EVENTS.resync, SSE_EVENTS.heartbeat, SSE_EVENTS.reauth];

/**
 * Opens a native `EventSource` (internal). It is closed on its first `error`: the client rebuilds it
 * with its own backoff, jitter and resume id, because a native source gives up for good on any
 * non-200 answer and would otherwise reconnect on its own schedule with a stale URL.
 *
 * A browser's `error` event does not say which status the server sent; a spec-compliant polyfill
 * that sets a numeric `code` on it (the `eventsource` package does) lets the client stop on
 * 401/403/204 at once. `retry:` and comments are invisible to a native source; the hub's named
 * `heartbeat` events are not, which lets the client tell a stalled stream from a quiet one.
 */
export function openEventSource(Source: EventSourceConstructor, url: string, withCredentials: boolean, handlers: TransportHandlers): Transport {
  let source: EventSourceLike | undefined = new Source(url, { withCredentials });
  let opened = false;
  // A native source reports its "last event ID string" on every event, so an event without an `id:`
  // (a legacy bare PUBLISH) carries the previous event's id. The hub never repeats an id: an
  // unchanged one means the event had none.
  let seen = "";
  const close = (): void => {
    const closing = source;
    source = undefined;
    closing?.close();
    // Some implementations arm their own reconnect timer right after dispatching `error`; a second
    // close() once the dispatch is over cancels it.
    if (closing) queueMicrotask(() => closing.close());
  };
  source.addEventListener("open", () => {
    if (!source) return;
    opened = true;
    handlers.open();
  });
  for (const name of NAMES) {
    source.addEventListener(name, (event: EventSourceEventLike) => {
      if (!source) return;
      const id = event.lastEventId ?? "";
      const fresh = id !== seen;
      seen = id;
      handlers.message(name, event.data as string, (fresh && id) || undefined);
    });
  }
  source.addEventListener("error", (event: EventSourceEventLike & { code?: unknown }) => {
    if (!source) return;
    close();
    const { code } = event;
    handlers.close(opened ? new RealtimeBookingsError("stream_ended") : typeof code === "number" && code ? statusError(code, true) : new RealtimeBookingsError("network_error"));
  });
  return { close };
}
