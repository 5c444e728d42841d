// Helpers every scenario shares: events, CPU/memory samples, latency summaries, and the verdict on
// whether a figure was limited by the server or by the load generator.
import hdr from "hdr-histogram-js";
import { CLOCK_TICKS, cpuPercent, machineTicks, sampleTree } from "../lib/proc.mjs";
import { sleep } from "../lib/net.mjs";

/**
 * What a scenario gets.
 *
 * @typedef {object} ScenarioContext
 * @property {import("../systems/types.mjs").SystemDefinition} system
 * @property {import("../systems/types.mjs").SystemInstance} instance
 * @property {import("../load/generator.mjs").LoadGenerator} generator
 * @property {import("../lib/redis.mjs").BenchRedis} redis
 * @property {number} n - connections requested for this round
 * @property {ScenarioParams} params
 * @property {(count: number) => number} takeSeq - reserves `count` sequence numbers, returns the first
 * @property {(message: string) => void} log
 * @property {{ cpuPercent?: number, redisCpuPercent?: number }} idle - idle CPU, filled by the idle scenario
 */

/**
 * @typedef {object} ScenarioParams
 * @property {number} idleMs - idle window at every N but the largest
 * @property {number} idleMsLargest - idle window at the largest N of the run
 * @property {number} connectDeadlineMs - connections not live by then are given up (reported as the N reached)
 * @property {number} broadcastWarmupEvents - published first, at the same pace, and not measured
 * @property {number} broadcastEvents
 * @property {number} broadcastIntervalMs
 * @property {number} filteredLatencyEvents
 * @property {number} filteredWarmupEvents
 * @property {number} filteredCostMaxEvents
 * @property {number} filteredCostMinCpuMs
 * @property {number} filteredCostMaxMs
 * @property {number} burstEvents
 * @property {number} burstDeadlineMs
 * @property {number} stormDeadlineMs
 * @property {number} settleMs
 * @property {number} pauseMs - quiet time between steps (lets servers notice closes, GC settle)
 */

const now = () => performance.timeOrigin + performance.now();

/**
 * Booking events with consecutive `seq`, stamped with the publisher's clock now.
 *
 * @param {number} firstSeq
 * @param {number} count
 * @param {{ specialist?: number, workpoint?: number }} [scope]
 * @returns {import("../systems/types.mjs").BenchEvent[]}
 */
export function makeEvents(firstSeq, count, { specialist = 1, workpoint = 1 } = {}) {
  const sentAt = now();
  return Array.from({ length: count }, (_, i) => ({
    type: "update",
    data: { id: firstSeq + i, seq: firstSeq + i, specialist_id: specialist, workpoint_id: workpoint, sent_at: sentAt },
  }));
}

/**
 * CPU (and optionally memory) of the server tree, Redis and the generator workers at one instant.
 *
 * @param {ScenarioContext} ctx
 * @param {{ memory?: boolean }} [options]
 */
export function sampleAll(ctx, { memory = false } = {}) {
  return {
    server: sampleTree(ctx.instance.pids(), { memory }),
    redis: sampleTree([ctx.redis.pid], { memory }),
    workers: ctx.generator.pids().map((pid) => sampleTree([pid], { memory: false })),
    machine: machineTicks(),
  };
}

/**
 * CPU use between two samples and the verdict on what limited the figure.
 *
 * - `generator`: a load worker used ≥ 85% of a core or its event loop lagged (p99 > 20 ms), so the
 *   clients, not the server, may have set the latency;
 * - `server`: the server's processes used ≥ 85% of the cores they can use (one for a single Node
 *   process, both for multi-process servers);
 * - `machine`: server + Redis + workers together used ≥ 180% of the 2 cores;
 * - `other-load`: processes outside the bench used ≥ 25% of a core (the machine is shared): the
 *   figure is noisier than the others.
 *
 * @param {ScenarioContext} ctx
 * @param {ReturnType<typeof sampleAll>} before
 * @param {ReturnType<typeof sampleAll>} after
 * @param {{ loopDelayP99Ms: number }[]} [workerLoops]
 */
export function cpuVerdict(ctx, before, after, workerLoops = []) {
  const server = cpuPercent(before.server, after.server);
  const redis = cpuPercent(before.redis, after.redis);
  const workers = after.workers.map((w, i) => cpuPercent(/** @type {any} */ (before.workers[i]), w));
  const cores = ctx.instance.pids().length > 1 || after.server.processes > 2 ? 2 : 1;
  /** @type {string[]} */
  const limitedBy = [];
  if (workers.some((w) => w >= 85) || workerLoops.some((l) => l.loopDelayP99Ms > 20)) limitedBy.push("generator");
  if (server >= 85 * cores) limitedBy.push("server");
  const total = server + redis + workers.reduce((a, b) => a + b, 0);
  if (total >= 180) limitedBy.push("machine");
  const seconds = (after.server.at - before.server.at) / 1000;
  const machineBusy = seconds > 0 ? ((after.machine.busy - before.machine.busy) / CLOCK_TICKS / seconds) * 100 : 0;
  const otherLoad = Math.max(0, machineBusy - total);
  if (otherLoad >= 25) limitedBy.push("other-load");
  return {
    otherLoadCpuPercent: round(otherLoad),
    serverCpuPercent: round(server),
    redisCpuPercent: round(redis),
    workerCpuPercent: workers.map(round),
    workerLoopDelayP99Ms: workerLoops.map((l) => round(l.loopDelayP99Ms)),
    limitedBy,
  };
}

/** @param {number} x @param {number} [digits] */
export function round(x, digits = 2) {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * p50/p95/p99/max/mean in milliseconds of a histogram recorded in microseconds.
 *
 * @param {import("hdr-histogram-js").Histogram} h
 */
export function summarize(h) {
  if (h.totalCount === 0) return { count: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const ms = (/** @type {number} */ us) => round(us / 1000, 3);
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  };
}

/**
 * Summary of per-event latencies (ms) given receive times and send times.
 *
 * @param {Float64Array} received - 0 where nobody received the event
 * @param {number[]} sent
 */
export function summarizePerEvent(received, sent) {
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (let k = 0; k < received.length; k++) {
    const r = received[k] ?? 0;
    const s = sent[k];
    if (r > 0 && s !== undefined) h.recordValue(Math.max(1, Math.round((r - s) * 1000)));
  }
  return summarize(h);
}

/**
 * Waits until the workers counted `expected` deliveries, progress stalls for `stallMs`, or the
 * deadline passes. Returns the deliveries counted.
 *
 * @param {ScenarioContext} ctx
 * @param {number} expected
 * @param {{ deadlineMs: number, stallMs?: number }} options
 */
export async function waitForDeliveries(ctx, expected, { deadlineMs, stallMs = 5000 }) {
  const deadline = performance.now() + deadlineMs;
  let last = -1;
  let lastChange = performance.now();
  while (performance.now() < deadline) {
    const { deliveries } = await ctx.generator.status();
    if (deliveries >= expected) return deliveries;
    if (deliveries !== last) {
      last = deliveries;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > stallMs) return deliveries;
    await sleep(100);
  }
  return last;
}

/** @param {ScenarioContext} ctx */
export function admins(ctx) {
  return Array.from({ length: ctx.n }, () => /** @type {import("../load/generator.mjs").Scope} */ ({ role: "admin" }));
}
