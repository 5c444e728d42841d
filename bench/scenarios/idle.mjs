// 1. idle: memory per connection after GC, and CPU% over the idle window (heartbeats only).
import { sleep } from "../lib/net.mjs";
import { sampleTree } from "../lib/proc.mjs";
import { cpuVerdict, round, sampleAll } from "./common.mjs";

/**
 * Measures with every connection open and no events: memory (server tree PSS and RSS, Node heap
 * after a forced GC, Redis) minus the same before any connection, per connection; then CPU over
 * `params.idleMs`.
 *
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ baseline: { pssKiB: number, rssKiB: number, heapUsed: number | null, redisRssKiB: number }, live: number }} state
 */
export async function idle(ctx, { baseline, live }) {
  await sleep(ctx.params.pauseMs * 2);
  const heap = ctx.instance.gc ? (await ctx.instance.gc()).reduce((a, m) => a + m.heapUsed, 0) : null;
  const tree = sampleTree(ctx.instance.pids());
  const redis = sampleTree([ctx.redis.pid]);
  const before = sampleAll(ctx);
  const heartbeatsBefore = (await ctx.generator.status()).heartbeats;
  await sleep(ctx.params.idleMs);
  const after = sampleAll(ctx);
  const status = await ctx.generator.status();
  const per = (/** @type {number} */ delta) => (live > 0 ? round(delta / live, 2) : null);
  const verdict = cpuVerdict(ctx, before, after);
  ctx.idle.cpuPercent = verdict.serverCpuPercent;
  ctx.idle.redisCpuPercent = verdict.redisCpuPercent;
  return {
    connections: live,
    windowMs: ctx.params.idleMs,
    pssPerConnKiB: per(tree.pssKiB - baseline.pssKiB),
    rssPerConnKiB: per(tree.rssKiB - baseline.rssKiB),
    heapPerConnKiB: heap === null || baseline.heapUsed === null ? null : per((heap - baseline.heapUsed) / 1024),
    redisRssPerConnKiB: per(redis.rssKiB - baseline.redisRssKiB),
    serverPssMiB: round(tree.pssKiB / 1024, 1),
    serverRssMiB: round(tree.rssKiB / 1024, 1),
    serverProcesses: tree.processes,
    heartbeatsReceived: status.heartbeats - heartbeatsBefore,
    stillLive: status.live,
    ...verdict,
  };
}
