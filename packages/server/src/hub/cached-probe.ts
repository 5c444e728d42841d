/**
 * A probe whose good answer is reused for `ttlMs`, with one call in flight at a time: a burst of health
 * checks costs the broker one round trip per period, not one per request. A bad answer is not kept:
 * the next check asks again, so recovery shows at once.
 *
 * @internal
 */
export class CachedProbe<T extends boolean> {
  private last: { readonly value: Promise<T>; readonly at: number; readonly epoch: number } | undefined;

  /**
   * @param ttlMs - how long an answer is reused
   * @param probe - asks the real question (must not reject); `true` is a good answer
   * @param now - the clock (injected by tests)
   */
  constructor(
    private readonly ttlMs: number,
    private readonly probe: () => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The last answer if it is fresh (or still coming) and was asked in the same `epoch`, else a new one.
   *
   * @param epoch - changes when what the probe asks about is known to have changed (a new answer then)
   */
  get(epoch = 0): Promise<T> {
    const now = this.now();
    if (this.last && this.last.epoch === epoch && now - this.last.at < this.ttlMs) return this.last.value;
    const value = this.probe();
    const last = { value, at: now, epoch };
    this.last = last;
    void value.then((good) => {
      if (!good && this.last === last) this.last = undefined;
    });
    return value;
  }
}
