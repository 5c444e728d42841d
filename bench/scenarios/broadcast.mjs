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
  const { broadcastWarmupEvents: warmup, broadcastEvents: count, broadcastIntervalMs: interval } = ctx.params;
  // Warm-up: the first events after the connections open pay for JIT compilation and first-use
  // allocations in the server and in the generator (every system's first 2–3 events were 3–10× slower
  // than its steady state). They are published and delivered at the same pace, then not measured.
  const warmBase = ctx.takeSeq(warmup);
  await ctx.generator.window(warmBase, warmup);
  await publishPaced(ctx, warmBase, warmup, interval);
  await waitForDeliveries(ctx, warmup * live, { deadlineMs: ctx.params.settleMs + 10_000, stallMs: ctx.params.settleMs });

  const base = ctx.takeSeq(count);
  await ctx.generator.window(base, count);
  const before = sampleAll(ctx);
  const sent = await publishPaced(ctx, base, count, interval);
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
    // Per event, in publish order: when the first and the last client got it (ms after sent_at), to
    // tell a stall of the whole system (first late too) from a slow fan-out (only last late).
    perEventMs: sent.map((s, k) => [round((result.first[k] ?? s) - s, 1), round((result.last[k] ?? s) - s, 1)]),
    reconnectsDuring: result.counters.reconnects,
    ...cpuVerdict(ctx, before, after, result.workers),
  };
}

/**
 * Publishes `count` events from `base`, one every `interval` ms, each stamped as it goes out.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {number} base
 * @param {number} count
 * @param {number} interval
 * @returns {Promise<number[]>} each event's `sent_at`
 */
async function publishPaced(ctx, base, count, interval) {
  /** @type {number[]} */
  const sent = [];
  /** @type {Promise<void>[]} */
  const publishes = [];
  const start = performance.now();
  for (let k = 0; k < count; k++) {
    const wait = start + k * interval - performance.now();
    if (wait > 0) await sleep(wait);
    const [event] = makeEvents(base + k, 1);
    sent.push(/** @type {any} */ (event).data.sent_at);
    publishes.push(ctx.instance.publish(/** @type {any} */ ([event])));
  }
  await Promise.all(publishes);
  return sent;
}
