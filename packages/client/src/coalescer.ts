import { rethrow } from "./emitter.js";
import type { RealtimeEnvironment } from "./environment.js";
import type { ChangeEvent, RefreshInfo, RefreshReason } from "./events.js";

/** Turns a burst of refresh requests into one call (internal). */
export interface Coalescer {
  /** Requests a refresh; `change` is kept for {@link RefreshInfo.changes}. */
  add(reason: RefreshReason, change?: ChangeEvent): void;
  /** Drops what is pending and frees the timer. */
  dispose(): void;
}

/**
 * Coalesces refresh requests (internal): the refresh runs once the requests have been quiet for
 * `waitMs`, and never later than `maxWaitMs` after the first one, so a steady trickle of events
 * still refreshes at least that often. `run` may return a promise: requests made while it is pending
 * wait for it to settle and then run as one more refresh, so refreshes never overlap. An exception
 * (or rejection) of `run` is reported like a listener's (see {@link rethrow}).
 */
export function createCoalescer(
  env: Pick<RealtimeEnvironment, "setTimeout" | "clearTimeout" | "now">,
  waitMs: number,
  maxWaitMs: number,
  run: (info: RefreshInfo) => unknown,
): Coalescer {
  let reasons: RefreshReason[] = [];
  let changes: ChangeEvent[] = [];
  let timer: unknown;
  let firstAt: number | undefined;
  let running = false;
  let disposed = false;

  const schedule = (): void => {
    if (running || disposed || !reasons.length) return;
    const now = env.now();
    firstAt ??= now;
    env.clearTimeout(timer);
    timer = env.setTimeout(fire, Math.min(waitMs, firstAt + maxWaitMs - now));
  };
  const fire = (): void => {
    const info: RefreshInfo = { reasons, changes };
    timer = firstAt = undefined;
    reasons = [];
    changes = [];
    running = true;
    new Promise((resolve) => resolve(run(info))).catch(rethrow).then(() => {
      running = false;
      schedule();
    });
  };

  return {
    add(reason, change) {
      if (!reasons.includes(reason)) reasons.push(reason);
      if (change) changes.push(change);
      schedule();
    },
    dispose() {
      disposed = true;
      env.clearTimeout(timer);
    },
  };
}
