import { DEFAULT_HISTORY_LENGTH, PUBLISH_SCRIPT, type RedisKeyOptions } from "@realtime-bookings/protocol";
import { createHash } from "node:crypto";
import { HubError } from "../errors.js";

/** Options shared by the Redis adapters. */
export interface RedisBrokerOptions extends RedisKeyOptions {
  /**
   * How many recent events the history stream keeps (approximately: `XADD MAXLEN ~`) for resume.
   * @defaultValue 1000
   */
  readonly historyLength?: number;
}

/** The SHA1 of {@link PUBLISH_SCRIPT}, for `EVALSHA`. @internal */
export const PUBLISH_SCRIPT_SHA = createHash("sha1").update(PUBLISH_SCRIPT).digest("hex");

/** @internal */
export function historyLengthOf(options: RedisBrokerOptions): number {
  const length = options.historyLength ?? DEFAULT_HISTORY_LENGTH;
  if (!Number.isSafeInteger(length) || length < 1) throw new HubError("invalid_options", "historyLength must be a positive integer");
  return length;
}

/** Whether a Redis error says the script is not cached (`NOSCRIPT`), so `EVAL` must send it. @internal */
export const isNoScript = (error: unknown): boolean => error instanceof Error && error.message.includes("NOSCRIPT");

/** Reads a counter value as Redis returns it; anything not a number counts as 0. @internal */
export const toVersion = (value: string | null | undefined): number => {
  const n = Number(value ?? 0);
  return Number.isSafeInteger(n) ? n : 0;
};
