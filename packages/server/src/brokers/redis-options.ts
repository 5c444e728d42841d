import { DEFAULT_HISTORY_LENGTH, type RedisKeyOptions } from "@realtime-bookings/protocol";
import { HubError } from "../errors.js";

/** Options shared by the Redis adapters. */
export interface RedisBrokerOptions extends RedisKeyOptions {
  /**
   * How many recent events the history stream keeps (approximately: `XADD MAXLEN ~`) for resume.
   * @defaultValue 1000
   */
  readonly historyLength?: number;
  /**
   * How long a publish's idempotency record lasts (`publish(event, { idempotencyKey })`): a retry with
   * the same key within it gets the first id and publishes nothing. 100 ms to 30 days; shorten it only
   * for tests.
   * @defaultValue 86400000 (24 h)
   */
  readonly idempotencyWindowMs?: number;
}

/** @internal */
export function historyLengthOf(options: RedisBrokerOptions): number {
  const length = options.historyLength ?? DEFAULT_HISTORY_LENGTH;
  if (!Number.isSafeInteger(length) || length < 1) throw new HubError("invalid_options", "historyLength must be a positive integer");
  return length;
}

/** Reads a counter value as Redis returns it; anything not a number counts as 0. @internal */
export const toVersion = (value: string | null | undefined): number => {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
};
