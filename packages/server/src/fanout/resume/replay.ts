import { type EventId, type JsonLimits, NO_EVENT_YET, ProtocolError, type ResyncReason } from "@realtime-bookings/protocol";
import type { Broker } from "../../brokers/types.js";
import { type ReplayEvent, readHistoryEntry, resyncReasonOf } from "./history-entry.js";

export type { ReplayEvent } from "./history-entry.js";

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
    const reason = resyncReasonOf(page, after);
    if (reason) return { status: "resync", reason };
    if (page.status !== "ok") return { status: "ok", events: [], lastId: undefined }; // nothing was ever stored
    // More than one replay may carry; or `0-0` (a scope with no event) while events exist: a guess.
    if (page.truncated || (after === NO_EVENT_YET && page.entries.length > 0)) return { status: "resync", reason: "history_exceeded" };
    const events: ReplayEvent[] = [];
    for (const entry of page.entries) {
      const read = readHistoryEntry(entry, this.limits);
      if (read instanceof ProtocolError) this.onInvalid(read);
      else events.push(read);
    }
    return { status: "ok", events, lastId: page.entries.at(-1)?.id };
  }
}
