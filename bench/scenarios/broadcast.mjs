// 2. broadcast: an event every 100 ms that every connection may see (all are admins).
import { sleep } from "../lib/net.mjs";
import { cpuVerdict, makeEvents, round, sampleAll, summarize, summarizePerEvent, waitForDeliveries } from "./common.mjs";

/**
 * Publishes `params.broadcastEvents` events at `params.broadcastIntervalMs` and measures publish →
 * receive latency of every delivery, of the first and of the last client per event, and the
 * delivery rate.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ live: number }} state
 */
export async function broadcast(ctx, { live }) {
  const { broadcastEvents: count, broadcastIntervalMs: interval } = ctx.params;
  const base = ctx.takeSeq(count);
  await ctx.generator.window(base, count);
  /** @type {number[]} */
  const sent = [];
  /** @type {Promise<void>[]} */
  const publishes = [];
  const before = sampleAll(ctx);
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const due = start + k * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const [event] = makeEvents(base + k, 1);
    sent.push(/** @type {any} */ (event).data.sent_at);
    publishes.push(ctx.instance.publish(/** @type {any} */ ([event])));
  }
  await Promise.all(publishes);
  const expected = count * live;
  const delivered = await waitForDeliveries(ctx, expected, { deadlineMs: ctx.params.settleMs + 10_000, stallMs: ctx.params.settleMs });
  const after = sampleAll(ctx);
  const result = await ctx.generator.collect();
  const firstSent = sent[0] ?? 0;
  const lastReceived = Math.max(...result.last);
  const seconds = (lastReceived - firstSent) / 1000;
  return {
    connections: live,
    events: count,
    intervalMs: interval,
    expectedDeliveries: expected,
    deliveries: delivered,
    missingDeliveries: expected - result.counters.deliveries,
    deliveriesPerSec: seconds > 0 ? round(result.counters.deliveries / seconds, 0) : null,
    latencyMs: summarize(result.histogram),
    firstClientMs: summarizePerEvent(result.first, sent),
    lastClientMs: summarizePerEvent(result.last, sent),
    reconnectsDuring: result.counters.reconnects,
    ...cpuVerdict(ctx, before, after, result.workers),
  };
}
