/**
 * What the primary of `serve --workers N` does when a worker exits: a pure decision, so the rules
 * (replace a drained worker, restart a crashed one with a growing delay, give up on a crash loop)
 * read in one place.
 */

/** A worker that dies within this long of its start crashed "fast". @internal */
export const FAST_CRASH_MS = 10_000;
/** After this many fast crashes in a row of one worker, the primary gives up and exits 1. @internal */
export const MAX_FAST_CRASHES = 5;
/** The restart delay doubles from this after each fast crash, up to {@link BACKOFF_MAX_MS}. @internal */
export const BACKOFF_FIRST_MS = 100;
/** The longest restart delay. @internal */
export const BACKOFF_MAX_MS = 5_000;

/** What the primary knows when a worker exits. @internal */
export interface WorkerExit {
  readonly code: number | null;
  readonly signal: string | null;
  /** The server is shutting down. */
  readonly stopping: boolean;
  /** The worker drained on its own and its replacement was started already. */
  readonly replaced: boolean;
  /** Every worker has listened at least once: the server has served. */
  readonly serving: boolean;
  /** How long the worker ran. */
  readonly livedMs: number;
  /** Fast crashes in a row of this worker before this exit. */
  readonly fastCrashes: number;
}

/** What to do about it. @internal */
export type ExitDecision =
  | { readonly kind: "shutting-down" }
  | { readonly kind: "replaced" }
  | { readonly kind: "stop"; readonly code: number }
  | { readonly kind: "replace" }
  | { readonly kind: "give-up"; readonly crashes: number }
  | { readonly kind: "restart"; readonly crashes: number; readonly delayMs: number };

/** Decides what a worker's exit calls for. @internal */
export function decideExit(exit: WorkerExit): ExitDecision {
  if (exit.stopping) return { kind: "shutting-down" };
  if (exit.replaced) return { kind: "replaced" };
  // The server never served: a port in use or a bad Redis will not mend by retrying.
  if (!exit.serving) return { kind: "stop", code: exit.code !== null && exit.code > 0 ? exit.code : 1 };
  // Exit 0 without a signal: it drained after a SIGTERM of its own (not from the primary).
  if (exit.code === 0 && exit.signal === null) return { kind: "replace" };
  const crashes = exit.livedMs < FAST_CRASH_MS ? exit.fastCrashes + 1 : 1;
  if (crashes >= MAX_FAST_CRASHES) return { kind: "give-up", crashes };
  return { kind: "restart", crashes, delayMs: Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (crashes - 1)) };
}
