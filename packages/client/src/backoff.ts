/**
 * How long to wait before reconnecting: exponential growth, a cap, and full jitter.
 * Used by {@link backoffDelay}; the client takes these from its `reconnect` option.
 *
 * @example
 * ```ts
 * const gentle: BackoffOptions = { baseMs: 2000, maxMs: 60_000, factor: 2 };
 * ```
 */
export interface BackoffOptions {
  /**
   * The delay ceiling of the first attempt, in milliseconds. The client replaces it with the
   * server's `retry:` when the stream sent one (only the fetch transport can read it).
   * @defaultValue 1000
   */
  readonly baseMs?: number;
  /**
   * The largest delay ceiling, applied before the jitter, in milliseconds.
   * @defaultValue 30000
   */
  readonly maxMs?: number;
  /**
   * How much the ceiling grows per attempt.
   * @defaultValue 2
   */
  readonly factor?: number;
  /**
   * A source of numbers in `[0, 1)`; inject one to make the delay deterministic.
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
}

/**
 * The defaults of {@link BackoffOptions}: 1 s base, 30 s cap, doubling.
 *
 * @example
 * ```ts
 * new RealtimeBookings({ streamUrl, reconnect: { ...DEFAULT_BACKOFF, maxMs: 10_000 } });
 * ```
 */
export const DEFAULT_BACKOFF = { baseMs: 1000, maxMs: 30_000, factor: 2 } as const;

/**
 * The delay before reconnect attempt `attempt` (0 for the first retry), with "full jitter":
 * a uniformly random value in `[0, min(maxMs, baseMs × factor^attempt))`.
 *
 * Full jitter spreads the reconnects of every browser that lost its stream at the same moment (a
 * deploy, a hub restart) over the whole window, instead of letting them return in synchronized waves.
 * The cap is applied before the jitter, so even capped delays stay spread out. Pure: the same
 * arguments (with a deterministic `random`) always give the same result.
 *
 * @param attempt - how many attempts already failed in a row, minus one (0, 1, 2…); negative counts as 0
 * @param options - see {@link BackoffOptions}
 * @returns whole milliseconds, `0 <= ms < min(maxMs, baseMs × factor^attempt)` (0 when that bound is 0)
 * @example
 * ```ts
 * backoffDelay(0, { baseMs: 1000 }); // somewhere in [0, 1000)
 * backoffDelay(5, { baseMs: 1000, maxMs: 30_000 }); // somewhere in [0, 30000): 32000 is capped
 * backoffDelay(3, { random: () => 0.5 }); // 4000
 * ```
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = DEFAULT_BACKOFF.baseMs, maxMs = DEFAULT_BACKOFF.maxMs, factor = DEFAULT_BACKOFF.factor, random = Math.random } = options;
  return jittered(attempt, { baseMs, maxMs, factor, random });
}

/** {@link backoffDelay} with every option given (internal: the client's are resolved already). */
export const jittered = (attempt: number, { baseMs, maxMs, factor, random }: Required<BackoffOptions>): number =>
  Math.max(0, Math.floor(random() * Math.min(maxMs, baseMs * factor ** Math.max(0, attempt))));
