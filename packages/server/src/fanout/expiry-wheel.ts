/** How finely expiries are bucketed, in ms: a stream ends at most this long after its due time. */
const GRANULARITY_MS = 250;

/** Something the wheel can call when it is due. @internal */
export interface Expiring {
  /** The bucket it waits in, kept by the wheel; `undefined` when it waits in none. */
  dueKey: number | undefined;
  /**
   * Called once it is due (never before its time).
   *
   * @returns when it is due next (ms since the epoch), or `undefined` when it is done
   */
  due(now: number): number | undefined;
}

/**
 * One timer for every stream's credential expiry, instead of a `setTimeout` (and its closure) per
 * stream: a hashed wheel of 250 ms buckets, swept in order by one unref'd interval that runs only
 * while something waits. An item is called at or after its time, at most one bucket late; no delay
 * limit applies (a `setTimeout` past 2^31-1 ms would fire at once).
 *
 * @internal
 */
export class ExpiryWheel {
  private readonly buckets = new Map<number, Set<Expiring>>();
  /** The last bucket swept: everything in it or before it has been called. */
  private swept = Math.floor(Date.now() / GRANULARITY_MS);
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Waits `item` until `when` (ms since the epoch), replacing any earlier wait. */
  schedule(item: Expiring, when: number): void {
    this.cancel(item);
    if (this.buckets.size === 0) this.swept = Math.floor(Date.now() / GRANULARITY_MS);
    const key = Math.max(Math.ceil(when / GRANULARITY_MS), this.swept + 1);
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new Set()));
    bucket.add(item);
    item.dueKey = key;
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), GRANULARITY_MS);
      this.timer.unref?.();
    }
  }

  /** Stops waiting `item`. Safe to call when it waits for nothing. */
  cancel(item: Expiring): void {
    const key = item.dueKey;
    if (key === undefined) return;
    item.dueKey = undefined;
    const bucket = this.buckets.get(key);
    bucket?.delete(item);
    if (bucket?.size === 0) this.buckets.delete(key);
    if (this.buckets.size === 0) this.stop();
  }

  /** How many items wait. */
  get size(): number {
    let n = 0;
    for (const bucket of this.buckets.values()) n += bucket.size;
    return n;
  }

  /** Forgets every item and stops the timer. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.buckets.size > 0) {
      for (const bucket of this.buckets.values()) for (const item of bucket) item.dueKey = undefined;
      this.buckets.clear();
    }
  }

  private sweep(): void {
    const now = Date.now();
    const until = Math.floor(now / GRANULARITY_MS);
    // After a long stall (a suspended machine), visit the buckets that exist rather than every slot.
    const keys =
      until - this.swept > 4 * this.buckets.size
        ? [...this.buckets.keys()].filter((k) => k <= until).sort((a, b) => a - b)
        : Array.from({ length: Math.max(0, until - this.swept) }, (_, i) => this.swept + 1 + i);
    this.swept = until;
    for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (!bucket) continue;
      this.buckets.delete(key);
      for (const item of bucket) {
        item.dueKey = undefined;
        const next = item.due(now);
        if (next !== undefined) this.schedule(item, next);
      }
    }
    if (this.buckets.size === 0) this.stop();
  }
}
