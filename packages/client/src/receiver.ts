import { SSE_EVENTS } from "@realtime-bookings/protocol";
import type { Coalescer } from "./coalescer.js";
import type { Emitter } from "./emitter.js";
import { RealtimeBookingsError } from "./errors.js";
import type { RealtimeBookingsEventMap } from "./events.js";
import { parseChange, parseResync } from "./parse.js";
import type { Poller } from "./poller.js";

/** What the receiver reads and writes of the client's state (internal). */
export interface ReceiverState {
  readonly clientId: string;
  lastEventId?: string | undefined;
}

/**
 * Turns the stream's events into the app's (internal): remembers the last id, emits `change` and
 * `resync`, and asks for a refresh, except for the page's own changes (their `origin` is its client id:
 * the page that made a change already shows it).
 *
 * @returns the handler of one event: its name, data and id
 */
export function createReceiver(
  state: ReceiverState,
  emitter: Emitter<RealtimeBookingsEventMap>,
  coalescer: Coalescer,
  poller: Poller,
): (name: string, data: string, id: string | undefined) => void {
  return (name, data, id) => {
    if (id) state.lastEventId = id;
    if (name === SSE_EVENTS.resync) {
      state.lastEventId = undefined;
      poller.touch();
      coalescer.add("resync");
      emitter.emit("resync", parseResync(data));
    } else if (name === SSE_EVENTS.booking) {
      const change = parseChange(data, id, state.clientId);
      poller.touch();
      if (!change?.own) coalescer.add("change", change);
      if (change) emitter.emit("change", change);
      else emitter.emit("error", new RealtimeBookingsError("invalid_event"));
    }
  };
}
