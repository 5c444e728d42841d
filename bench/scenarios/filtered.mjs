// 3. filtered: events for one specialist among N connections (every connection a different
// specialist). Latency of the one viewer, and server CPU time per event, which must not grow with N.
import { sleep } from "../lib/net.mjs";
import { cpuMs } from "../lib/proc.mjs";
import { cpuVerdict, makeEvents, round, sampleAll, summarize, summarizePerEvent, waitForDeliveries } from "./common.mjs";

const TARGET = 1;
const WORKPOINT = 1_000_000; // nobody supervises it

/**
 * Phase 1 publishes `filteredLatencyEvents` at the broadcast interval and measures the target's
 * latency. Then `filteredWarmupEvents` are published unmeasured, so that every system's code is
 * compiled by its JIT as it is in a hub that has run for a while (a cold Node server spends most of
 * its first thousands of events compiling). Phase 2 publishes batches of 100 until the server has spent `filteredCostMinCpuMs` of CPU
 * (or `filteredCostMaxEvents` / `filteredCostMaxMs` is reached) and divides its CPU time, less the
 * idle rate, by the events. Deliveries to anyone but the target are counted as leaks.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ live: number }} state
 */
export async function filtered(ctx, { live }) {
  const scope = { specialist: TARGET, workpoint: WORKPOINT };
  const p = ctx.params;
  // Phase 1: latency.
  const base = ctx.takeSeq(p.filteredLatencyEvents);
  await ctx.generator.window(base, p.filteredLatencyEvents);
  /** @type {number[]} */
  const sent = [];
  const start = performance.now();
  for (let k = 0; k < p.filteredLatencyEvents; k++) {
    const wait = start + k * p.broadcastIntervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    const [event] = makeEvents(base + k, 1, scope);
    sent.push(/** @type {any} */ (event).data.sent_at);
    await ctx.instance.publish(/** @type {any} */ ([event]));
  }
  await waitForDeliveries(ctx, p.filteredLatencyEvents, { deadlineMs: p.settleMs + 5000, stallMs: p.settleMs });
  await sleep(200); // let any leak arrive
  const phase1 = await ctx.generator.collect();

  // Warm-up, unmeasured: in batches, with the same deliveries, bounded in time like phase 2.
  const warmBase = ctx.takeSeq(p.filteredWarmupEvents);
  await ctx.generator.window(warmBase, p.filteredWarmupEvents);
  const warmed = await publishInBatches(ctx, warmBase, p.filteredWarmupEvents, scope, () => false);
  const warmup = await ctx.generator.collect();

  // Phase 2: CPU per event.
  const costBase = ctx.takeSeq(p.filteredCostMaxEvents);
  await ctx.generator.window(costBase, p.filteredCostMaxEvents);
  const before = sampleAll(ctx);
  const published = await publishInBatches(ctx, costBase, p.filteredCostMaxEvents, scope, (count) => {
    const spent = cpuMs(before.server, sampleAll(ctx).server);
    return spent >= p.filteredCostMinCpuMs && count >= Math.min(500, p.filteredCostMaxEvents);
  });
  await sleep(300); // let every process finish its share
  const after = sampleAll(ctx);
  const phase2 = await ctx.generator.collect();
  const elapsedS = (after.server.at - before.server.at) / 1000;
  const idleServerMs = ((ctx.idle.cpuPercent ?? 0) / 100) * elapsedS * 1000;
  const idleRedisMs = ((ctx.idle.redisCpuPercent ?? 0) / 100) * elapsedS * 1000;
  const serverMs = Math.max(0, cpuMs(before.server, after.server) - idleServerMs);
  const redisMs = Math.max(0, cpuMs(before.redis, after.redis) - idleRedisMs);
  return {
    connections: live,
    latencyEvents: p.filteredLatencyEvents,
    latencyMs: summarize(phase1.histogram),
    firstClientMs: summarizePerEvent(phase1.first, sent),
    targetReceived: phase1.counters.deliveries,
    warmupEvents: warmed,
    costEvents: published,
    costTargetReceived: phase2.counters.deliveries,
    serverCpuUsPerEvent: published > 0 ? round((serverMs * 1000) / published, 1) : null,
    redisCpuUsPerEvent: published > 0 ? round((redisMs * 1000) / published, 1) : null,
    cpuResolutionUsPerEvent: published > 0 ? round(10_000 / published, 1) : null,
    leakedDeliveries:
      Math.max(0, phase1.counters.deliveries - p.filteredLatencyEvents) + Math.max(0, warmup.counters.deliveries - warmed) + Math.max(0, phase2.counters.deliveries - published),
    ...cpuVerdict(ctx, before, after, phase2.workers),
  };
}

/**
 * Publishes up to `max` events to `scope` in batches of 100, waiting for each batch's deliveries, for
 * at most `filteredCostMaxMs` or until `enough(publishedSoFar)`.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {number} base - the first event's sequence number
 * @param {number} max
 * @param {{ specialist: number, workpoint: number }} scope
 * @param {(published: number) => boolean} enough
 * @returns {Promise<number>} how many were published
 */
async function publishInBatches(ctx, base, max, scope, enough) {
  const start = performance.now();
  let published = 0;
  while (published < max && performance.now() - start < ctx.params.filteredCostMaxMs) {
    const batch = Math.min(100, max - published);
    await ctx.instance.publish(makeEvents(base + published, batch, scope));
    published += batch;
    await waitForDeliveries(ctx, published, { deadlineMs: 30_000, stallMs: 5000 });
    if (enough(published)) break;
  }
  return published;
}
