// The machine is shared: optionally wait (bounded) for a quieter moment before measuring.
import { sleep } from "./net.mjs";
import { machineTicks } from "./proc.mjs";

/**
 * Waits until a 3 s window shows the machine under `maxBusyPercent` busy, or `timeoutMs` passes.
 * Returns the last busy figure seen (percent of all cores).
 *
 * @param {number} timeoutMs
 * @param {number} [maxBusyPercent]
 */
export async function waitQuiet(timeoutMs, maxBusyPercent = 25) {
  const until = performance.now() + timeoutMs;
  let busy = 100;
  do {
    const a = machineTicks();
    await sleep(3000);
    const b = machineTicks();
    busy = ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100;
  } while (busy >= maxBusyPercent && performance.now() < until);
  return Math.round(busy);
}
