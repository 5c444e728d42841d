import { type EventId, type ViewerScope, canView, parseEventId } from "@realtime-bookings/protocol";
import type { ResumeLimiter } from "./resume-limiter.js";
import type { Counters } from "../../stats.js";
import { type Frame, resyncFrame } from "../frames.js";
import type { HistoryTail } from "./history-tail.js";
import type { ReplayReader, ReplayResult } from "./replay.js";

/**
 * What a new stream starts with:
 * - `replay`: the frames it missed (filtered by its scope), the newest id they covered, and whether it
 *   needs a fresh resume point (a new stream, or one told to resync);
 * - `limited`: too many resumes from old ids for this viewer; retry after `retryAfter` seconds;
 * - `unavailable`: the history could not be read.
 *
 * @internal
 */
export type Resume =
  | { readonly kind: "replay"; readonly frames: readonly Frame[]; readonly lastId: EventId | undefined; readonly freshCursor: boolean }
  | { readonly kind: "limited"; readonly retryAfter: number }
  | { readonly kind: "unavailable" };

const fresh = (frames: readonly Frame[]): Resume => ({ kind: "replay", frames, lastId: undefined, freshCursor: true });

/**
 * Reads what a connection missed: from the in-memory tail when its id is recent enough (nothing read
 * from Redis, nothing parsed again), else one bounded history read, rate-limited per viewer key.
 *
 * @internal
 */
export class Resumer {
  /**
   * @param tail - the recent history the feed read
   * @param reader - reads older history from the broker
   * @param limiter - bounds the broker reads per viewer key
   * @param replayLimit - the most events one replay may carry
   * @param counters - the hub's counters (replays, resyncs, refusals)
   */
  constructor(
    private readonly tail: HistoryTail,
    private readonly reader: ReplayReader,
    private readonly limiter: ResumeLimiter,
    private readonly replayLimit: number,
    private readonly counters: Counters,
  ) {}

  /**
   * What a connection of `viewer` (counted under `key`) resuming from `lastEventId` gets. Call it after
   * the connection registered for live frames, so nothing falls between the replay and live.
   */
  async resume(viewer: ViewerScope, key: string, lastEventId: string | undefined): Promise<Resume> {
    if (lastEventId === undefined) return fresh([]);
    this.counters.replays += 1;
    const after = parseEventId(lastEventId);
    if (!after) return this.resync({ status: "resync", reason: "invalid_id" });
    let result = this.tail.replayAfter(after, this.replayLimit);
    if (result === undefined) {
      const retryAfter = this.limiter.take(key);
      if (retryAfter > 0) {
        this.counters.connectionsRefused += 1;
        return { kind: "limited", retryAfter };
      }
      try {
        result = await this.reader.read(after);
      } catch {
        return { kind: "unavailable" };
      }
    }
    if (result.status === "resync") return this.resync(result);
    // The replay is filtered by the viewer's CURRENT scope, like the live stream.
    const frames = result.events.filter((e) => canView(viewer, e.scope)).map((e) => e.frame);
    return { kind: "replay", frames, lastId: result.lastId, freshCursor: false };
  }

  private resync(result: Extract<ReplayResult, { status: "resync" }>): Resume {
    this.counters.resyncs += 1;
    return fresh([resyncFrame(result.reason)]);
  }
}
