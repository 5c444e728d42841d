import { type EventId, type EventScope, type JsonLimits, NO_EVENT_YET, type ResyncReason, safeParseBookingMessage } from "@realtime-bookings/protocol";
import type { Broker } from "../brokers/types.js";
import { type Frame, bookingFrame } from "./frames.js";

/** One history event, parsed and framed once for every connection that resumes past it. @internal */
export interface ReplayEvent {
  readonly scope: EventScope;
  readonly frame: Frame;
}

/**
 * What a resuming connection gets: the events after its id (to filter by its own scope), or the reason
 * it must resync instead. `lastId` is the newest id the page covered. @internal
 */
export type ReplayResult =
  | { readonly status: "ok"; readonly events: readonly ReplayEvent[]; readonly lastId: EventId | undefined }
  | { readonly status: "resync"; readonly reason: ResyncReason };

/** A history read that connections may share while it has not been sent yet. */
interface SharedRead {
  started: boolean;
  result: Promise<ReplayResult>;
}

/**
 * Reads the history for resuming connections. Resumes from the same id share one broker call (a
 * reconnect storm asks for the same id thousands of times) and each page is parsed and framed once.
 *
 * A connection may only join a read that has not been sent yet: a read sent before the connection
 * registered would miss what was published between that read and the registration (it is neither in
 * the page nor among the live frames the connection holds). Reads are sent on `setImmediate`, so every
 * connection that registered in the same turn of the event loop shares one.
 *
 * @internal
 */
export class ReplayReader {
  private readonly reads = new Map<EventId, SharedRead>();

  /**
   * @param broker - where the history lives
   * @param limit - the most events one replay may carry; more means resync
   * @param limits - JSON limits for history entries (untrusted like any message)
   * @param guard - wraps a broker call with the hub's timeout
   * @param onInvalid - told about a history entry that fails validation (it is skipped)
   */
  constructor(
    private readonly broker: Broker,
    private readonly limit: number,
    private readonly limits: JsonLimits,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
    private readonly onInvalid: (error: Error) => void,
  ) {}

  /** Reads the history after `after`; call it after the connection has registered for live frames. */
  read(after: EventId): Promise<ReplayResult> {
    const pending = this.reads.get(after);
    if (pending && !pending.started) return pending.result;
    const read: SharedRead = { started: false, result: Promise.resolve({ status: "ok", events: [], lastId: undefined }) };
    read.result = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => {
        read.started = true;
        return this.load(after);
      })
      .finally(() => {
        if (this.reads.get(after) === read) this.reads.delete(after);
      });
    this.reads.set(after, read);
    return read.result;
  }

  private async load(after: EventId): Promise<ReplayResult> {
    const page = await this.guard(() => this.broker.readHistory(after, this.limit));
    switch (page.status) {
      case "gap":
        return { status: "resync", reason: "history_exceeded" };
      case "lost":
        // `0-0` is the resume point of a scope that had no event; with no history at all, nothing
        // can have been missed (a fresh deployment, the in-memory broker): no needless reload.
        return after === NO_EVENT_YET ? { status: "ok", events: [], lastId: undefined } : { status: "resync", reason: "history_lost" };
      case "ok": {
        if (page.truncated) return { status: "resync", reason: "history_exceeded" };
        // `0-0` from a scope that had no event: replaying the whole history would be a guess.
        if (after === NO_EVENT_YET && page.entries.length > 0) return { status: "resync", reason: "history_exceeded" };
        const events: ReplayEvent[] = [];
        for (const entry of page.entries) {
          const parsed = safeParseBookingMessage(entry.json, this.limits);
          if (parsed.ok) events.push({ scope: parsed.value.scope, frame: bookingFrame(entry.id, parsed.value.event) });
          else this.onInvalid(parsed.error);
        }
        return { status: "ok", events, lastId: page.entries.at(-1)?.id };
      }
    }
  }
}
