// 4. burst: `burstEvents` (1,000) events to every connection as fast as the publisher can;
// throughput, and events lost (must be 0).
import { sleep } from "../lib/net.mjs";
import { cpuVerdict, makeEvents, round, sampleAll, summarize, summarizePerEvent, waitForDeliveries } from "./common.mjs";

/**
 * Publishes every event in one batch through the system's publisher, then waits for every
 * delivery (or the deadline). A client that the server drops reconnects with its Last-Event-ID,
 * so what a resume brings back is not lost; anything still missing at the end is.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ live: number }} state
 */
export async function burst(ctx, { live }) {
  const count = ctx.params.burstEvents;
  const base = ctx.takeSeq(count);
  await ctx.generator.window(base, count);
  const before = sampleAll(ctx);
  const events = makeEvents(base, count);
  const publishStart = events[0]?.data.sent_at ?? 0;
  // A publisher error (e.g. a broker timeout) is a figure, not the end of the scenario.
  /** @type {string | undefined} */
  let publishError;
  let publishFailures = 0;
  await ctx.instance.publish(events).catch((/** @type {any} */ error) => {
    publishError = String(error?.message ?? error);
    publishFailures = typeof error?.failed === "number" ? error.failed : count;
  });
  const publishMs = performance.timeOrigin + performance.now() - publishStart;
  const expected = count * live;
  await waitForDeliveries(ctx, expected, { deadlineMs: ctx.params.burstDeadlineMs, stallMs: Math.min(10_000, ctx.params.burstDeadlineMs) });
  const after = sampleAll(ctx);
  // Still arriving when we stopped waiting? Then "lost" includes deliveries merely late.
  const a = (await ctx.generator.status()).deliveries;
  await sleep(500);
  const stillDraining = (await ctx.generator.status()).deliveries > a;
  await sleep(100);
  const result = await ctx.generator.collect();
  const lastReceived = Math.max(...result.last);
  const seconds = (lastReceived - publishStart) / 1000;
  let eventsMissedBySomeone = 0;
  for (let k = 0; k < count; k++) if ((result.receivers[k] ?? 0) < live) eventsMissedBySomeone++;
  const sent = Array.from({ length: count }, () => publishStart);
  return {
    connections: live,
    events: count,
    publishMs: round(publishMs, 1),
    publishFailures,
    publishError,
    expectedDeliveries: expected,
    deliveries: result.counters.deliveries,
    lostDeliveries: expected - result.counters.deliveries,
    eventsMissedBySomeone,
    stillDrainingAtDeadline: stillDraining,
    duplicates: result.counters.duplicates,
    eventsPerSec: seconds > 0 ? round(count / seconds, 0) : null,
    deliveriesPerSec: seconds > 0 ? round(result.counters.deliveries / seconds, 0) : null,
    drainMs: round(seconds * 1000, 1),
    latencyMs: summarize(result.histogram),
    lastClientMs: summarizePerEvent(result.last, sent),
    serverDrops: result.counters.lost,
    dropReasons: result.lostReasons,
    ...cpuVerdict(ctx, before, after, result.workers),
  };
}
