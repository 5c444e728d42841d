/**
 * A `Retry-After` value in whole seconds, jittered between `base` and three times `base`: clients
 * refused together (a cap, a drain, an outage) come back spread out, not in lockstep, and a fixed
 * value never synchronizes them harder each round.
 *
 * @param base - the shortest wait, in seconds (at least 1)
 * @internal
 */
export function jitteredRetryAfter(base: number): string {
  const min = Math.max(1, Math.ceil(base));
  return String(min + Math.floor(Math.random() * (2 * min + 1)));
}
