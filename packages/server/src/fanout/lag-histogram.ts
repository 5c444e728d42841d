import type { EventId } from "@realtime-bookings/protocol";
import type { LagHistogram } from "../stats.js";

/** Bucket bounds in ms: from what a healthy hub shows to what an alert should catch. */
const BOUNDS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] as const;

/**
 * Records each event's publish → socket-write lag: from the time in its history id (when Redis stored
 * it) to the fan-out that writes it. One observation per event, not per connection.
 *
 * @internal
 */
export class LagRecorder {
  private readonly counts = new Array<number>(BOUNDS.length).fill(0);
  private count = 0;
  private sum = 0;

  /** Records the event `id` written at `now`. */
  record(id: EventId, now: number): void {
    const lag = Math.max(0, now - Number(id.slice(0, id.indexOf("-"))));
    this.count += 1;
    this.sum += lag;
    for (let i = 0; i < BOUNDS.length; i++) if (lag <= (BOUNDS[i] as number)) this.counts[i] = (this.counts[i] as number) + 1;
  }

  /** The histogram so far. */
  snapshot(): LagHistogram {
    return { bounds: BOUNDS, counts: [...this.counts], count: this.count, sum: this.sum };
  }
}
