// 5. reconnect storm: every connection drops and reconnects at once; time until all are live again
// and have resumed (received the event published while they were away).
import { sleep } from "../lib/net.mjs";
import { cpuVerdict, makeEvents, round, sampleAll } from "./common.mjs";

/** @param {number[]} values @param {number} q */
function quantile(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0, 1);
}

/**
 * Drops all, publishes one event while nobody is connected, then reopens all at once, each with its
 * Last-Event-ID. A refused or failed attempt retries after a jittered 250 ms, as a browser would
 * after its `retry:`.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ live: number }} state
 */
export async function reconnect(ctx, { live }) {
  const seq = ctx.takeSeq(1);
  await ctx.generator.window(seq, 1);
  await ctx.generator.drop();
  await sleep(ctx.params.pauseMs);
  await ctx.instance.publish(makeEvents(seq, 1));
  await sleep(ctx.params.pauseMs / 2);
  const before = sampleAll(ctx);
  const start = performance.now();
  await ctx.generator.reconnect(seq, 250);
  const deadline = start + ctx.params.stormDeadlineMs;
  let status = await ctx.generator.status();
  while (performance.now() < deadline) {
    status = await ctx.generator.status();
    const allLive = status.stormLive >= live;
    const allResumed = status.stormResumed >= live;
    if (allLive && (allResumed || !ctx.instance.resume)) break;
    await sleep(50);
  }
  if (!ctx.instance.resume) await sleep(ctx.params.pauseMs); // a system without replay: give a late delivery a chance
  const after = sampleAll(ctx);
  const storm = await ctx.generator.stormCollect();
  const liveTimes = storm.live.filter((t) => t > 0);
  const resumedTimes = storm.resumed.filter((t) => t > 0);
  return {
    connections: live,
    liveAgain: liveTimes.length,
    resumed: resumedTimes.length,
    resumeSupported: ctx.instance.resume,
    allLiveMs: liveTimes.length >= live ? quantile(liveTimes, 1) : null,
    allResumedMs: resumedTimes.length >= live ? quantile(resumedTimes, 1) : null,
    liveP50Ms: quantile(liveTimes, 0.5),
    liveP99Ms: quantile(liveTimes, 0.99),
    resumedP99Ms: quantile(resumedTimes, 0.99),
    retries: storm.reconnects,
    retryReasons: storm.lostReasons,
    ...cpuVerdict(ctx, before, after),
  };
}
