/** How many viewer keys the limiter remembers; the least recently seen is forgotten past it. */
const MAX_KEYS = 10_000;

/** A token bucket: `tokens` left as of `at` (ms). */
type Bucket = { tokens: number; at: number };

/**
 * Rate-limits the resumes that must read the history from Redis, per viewer key: a token bucket of
 * `burst` resumes, refilled at `perSecond`. Resumes inside the in-memory tail cost nothing and are not
 * counted. Bounded: it remembers at most 10,000 keys.
 *
 * @internal
 */
export class ResumeLimiter {
  private readonly buckets = new Map<string, Bucket>();

  /**
   * @param burst - resumes a viewer may make at once
   * @param perSecond - resumes a viewer regains per second
   * @param now - the clock (injected by tests)
   */
  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes one resume for `key`.
   *
   * @returns 0 when allowed, else the seconds until one is allowed again (for `Retry-After`)
   */
  take(key: string): number {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    this.buckets.delete(key); // re-inserted last: the map's order is least recently seen first
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value as string);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
  }
}
