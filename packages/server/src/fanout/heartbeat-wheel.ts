/** One slice of the streams gets its heartbeat at most this often, in ms. */
const TICK_MS = 250;

/** The most slices a period is cut into. */
const MAX_SLICES = 64;

/** Something the wheel beats; it keeps its slice on itself (no map entry per stream). @internal */
export interface Beating {
  /** The slice it is in, kept by the wheel; `undefined` when it is in none. */
  beatSlice: number | undefined;
}

/**
 * Heartbeats spread over their period: the streams are cut into slices (one per 250 ms of the period,
 * at most 64) and one unref'd interval beats one slice per tick, so each stream still gets a heartbeat
 * once per period, but the hub never writes to every stream in one turn of the event loop.
 *
 * Why: a heartbeat is one socket write per stream, ~20–30 µs of CPU on loopback, most of it the
 * kernel's. Beating 10,000 streams at once held the event loop for ~200 ms every period (a hub on
 * node:http with 10,000 streams opened by a second process: event-loop delay max 198–265 ms with one
 * sweep, 9–15 ms spread, at a 15 s period), so an event published then waited that long, and the
 * benchmark's CPU per event jumped whenever a sweep fell in its window. At 15 s (60 slices) those
 * streams take ~167 writes per tick; at the default 25 s (64 slices), ~156.
 *
 * A new stream joins the smallest slice, so slices stay even through reconnect storms (which would
 * otherwise all land in the few slices beaten while they reconnect); among equal slices, the one whose
 * turn is furthest away.
 *
 * @internal
 */
export class HeartbeatWheel<T extends Beating> {
  private readonly slices: Set<T>[];
  private readonly timer: ReturnType<typeof setInterval>;
  /** The slice the next tick beats. */
  private next = 0;

  /**
   * @param periodMs - how often each stream gets a heartbeat
   * @param beat - writes the heartbeat to one slice's streams
   */
  constructor(
    periodMs: number,
    private readonly beat: (slice: ReadonlySet<T>) => void,
  ) {
    const count = Math.min(MAX_SLICES, Math.max(1, Math.round(periodMs / TICK_MS)));
    this.slices = Array.from({ length: count }, () => new Set<T>());
    this.timer = setInterval(() => this.tick(), periodMs / count);
    this.timer.unref?.();
  }

  /**
   * Adds `item` to the smallest slice; among equals, the one whose turn is furthest away, so a stream
   * that joins a quiet hub gets its first heartbeat about a period later, as with a timer of its own.
   * Safe to call for an item already in.
   */
  add(item: T): void {
    if (item.beatSlice !== undefined) return;
    const count = this.slices.length;
    // The slice beaten last is next beaten a whole period from now; `next` is beaten soonest.
    let best = (this.next + count - 1) % count;
    for (let back = 2; back <= count; back++) {
      const k = (this.next + count - back) % count;
      if ((this.slices[k] as Set<T>).size < (this.slices[best] as Set<T>).size) best = k;
    }
    (this.slices[best] as Set<T>).add(item);
    item.beatSlice = best;
  }

  /** Takes `item` out. Safe to call for an item in no slice. */
  remove(item: T): void {
    const slice = item.beatSlice;
    if (slice === undefined) return;
    item.beatSlice = undefined;
    this.slices[slice]?.delete(item);
  }

  /** Stops the timer. */
  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    const slice = this.slices[this.next] as Set<T>;
    this.next = (this.next + 1) % this.slices.length;
    if (slice.size > 0) this.beat(slice);
  }
}
