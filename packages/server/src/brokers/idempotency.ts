import { type EventId, IDEMPOTENCY_WINDOW_MS, type RedisKeys, parseEventId } from "@realtime-bookings/protocol";
import { createHash } from "node:crypto";
import { HubError } from "../errors.js";

/** What an idempotent publish answers: the event's id, and whether an earlier publish already made it. */
export interface IdempotentPublish {
  /** The history id: of this publish, or of the first publish with the same key (`replayed`). */
  readonly id: EventId;
  /** `true` when nothing was published because the key's first publish already made this event. */
  readonly replayed: boolean;
}

/** The longest window a broker accepts: 30 days. */
const MAX_WINDOW_MS = 2_592_000_000;

/**
 * The idempotency window of a broker's options, checked.
 *
 * @param windowMs - the `idempotencyWindowMs` option
 * @throws {@link HubError} `invalid_options` outside 100 ms – 30 days
 * @internal
 */
export function idempotencyWindowOf(windowMs: number | undefined): number {
  const window = windowMs ?? IDEMPOTENCY_WINDOW_MS;
  if (!Number.isSafeInteger(window) || window < 100 || window > MAX_WINDOW_MS) {
    throw new HubError("invalid_options", `idempotencyWindowMs must be an integer from 100 to ${MAX_WINDOW_MS} (30 days); the default is 24 h`);
  }
  return window;
}

/**
 * The Redis name of a key's idempotency record: the SHA-256 of the untrusted key, in lowercase hex,
 * under the broker's prefix (with its hash tag on a Cluster).
 *
 * @internal
 */
export const idempotencyRecordOf = (keys: RedisKeys, idempotencyKey: string): string =>
  keys.idempotencyRecord(createHash("sha256").update(idempotencyKey).digest("hex"));

/**
 * Reads the publish script's reply to a call with an idempotency key: `[id, 0]` (published) or
 * `[first id, 1]` (replayed).
 *
 * @internal
 */
export function idempotentReply(reply: unknown): IdempotentPublish {
  const id = Array.isArray(reply) ? parseEventId(reply[0]) : undefined;
  const flag = Array.isArray(reply) ? Number(reply[1]) : Number.NaN;
  if (!id || !(flag === 0 || flag === 1)) throw new HubError("broker_error", `the publish script returned ${JSON.stringify(reply)}, not [id, 0|1]`);
  return { id, replayed: flag === 1 };
}

/**
 * The typed error for the script's refusal of a key used for another event, or `undefined` when the
 * error is something else.
 *
 * @internal
 */
export function reusedKeyError(error: unknown): HubError | undefined {
  if (!(error instanceof Error) || !error.message.includes("idempotency_key_reused")) return undefined;
  return new HubError("idempotency_key_reused", "this idempotency key was already used for a different event: nothing was published; use a new key for a new event", { cause: error });
}
