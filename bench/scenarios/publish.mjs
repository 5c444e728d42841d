// 6. publish (opt-in: `--scenarios publish`): publishes per second over HTTP (`POST /publish`, keep-alive,
// with and without an Idempotency-Key) against publishing through Redis directly (the publish
// script, from this process), in the same run, to the same hub and the same live connections.
import { Agent, request } from "node:http";
import { ioredisBroker } from "@realtime-bookings/server/ioredis";
import { Redis } from "ioredis";
import { cpuVerdict, makeEvents, round, sampleAll, waitForDeliveries } from "./common.mjs";

/** Publishes in flight at once on every path: what the hub's own bench publisher uses. */
const IN_FLIGHT = 8;

/** Unmeasured publishes on each path before the measured ones. */
const WARMUP = 100;

/**
 * Runs `send` over `events` with {@link IN_FLIGHT} lanes; counts failures.
 *
 * @template T
 * @param {T[]} events
 * @param {(event: T, index: number) => Promise<void>} send
 */
async function lanes(events, send) {
  let next = 0;
  let failed = 0;
  /** @type {string | undefined} */
  let error;
  const lane = async () => {
    while (next < events.length) {
      const index = next++;
      await send(/** @type {T} */ (events[index]), index).catch((/** @type {unknown} */ e) => {
        failed++;
        error ??= String(e);
      });
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, events.length) }, lane));
  return { ms: performance.now() - started, failed, error };
}

/**
 * One POST /publish on a keep-alive agent; rejects unless the hub answers 200.
 *
 * @param {Agent} agent
 * @param {number} port
 * @param {string} body
 * @param {string | undefined} key
 */
function post(agent, port, body, key) {
  return new Promise((resolve, reject) => {
    const headers = { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...(key ? { "idempotency-key": key } : {}) };
    const req = request({ host: "127.0.0.1", port, path: "/publish", method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve(undefined) : reject(new Error(`POST /publish answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * @param {import("./common.mjs").ScenarioContext} ctx
 * @param {{ live: number }} state
 */
export async function publish(ctx, { live }) {
  const port = ctx.instance.publishHttpPort;
  if (port === undefined) return { skipped: "this system has no POST /publish on Redis" };
  const count = ctx.params.burstEvents;
  const client = new Redis(ctx.redis.url, { maxRetriesPerRequest: 1 });
  const broker = ioredisBroker(client, { prefix: "bench" });
  const versionKeys = [broker.keys.globalVersion, broker.keys.workpointVersion("1"), broker.keys.specialistVersion("1")];
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  /** @type {Record<string, (event: any, index: number) => Promise<void>>} */
  const paths = {
    redisScript: async (event) => void (await broker.publish(JSON.stringify(event), versionKeys)),
    http: (event) => post(agent, port, JSON.stringify(event), undefined).then(() => undefined),
    httpIdempotent: (event, index) => post(agent, port, JSON.stringify(event), `bench-${event.data.seq}-${index}`).then(() => undefined),
  };
  /** @type {Record<string, unknown>} */
  const result = { connections: live, events: count, inFlight: IN_FLIGHT };
  /**
   * Publishes `n` fresh events on one path and waits until the clients have them all.
   * @param {(event: any, index: number) => Promise<void>} send
   * @param {number} n
   */
  const publishRound = async (send, n) => {
    const base = ctx.takeSeq(n);
    await ctx.generator.window(base, n);
    const before = sampleAll(ctx);
    const run = await lanes(makeEvents(base, n), send);
    const after = sampleAll(ctx);
    const expectedDeliveries = (n - run.failed) * live;
    const deliveries = await waitForDeliveries(ctx, expectedDeliveries, { deadlineMs: ctx.params.burstDeadlineMs });
    await ctx.generator.collect();
    return { run, expectedDeliveries, deliveries, cpu: cpuVerdict(ctx, before, after) };
  };
  try {
    // Warm every path first (JIT, keep-alive sockets, the script cache), unmeasured: the first path
    // measured must not pay for it alone.
    for (const send of Object.values(paths)) await publishRound(send, WARMUP);
    for (const [name, send] of Object.entries(paths)) {
      const { run, expectedDeliveries, deliveries, cpu } = await publishRound(send, count);
      result[name] = {
        publishesPerSec: run.ms > 0 ? round(((count - run.failed) / run.ms) * 1000, 0) : null,
        publishMs: round(run.ms, 1),
        failed: run.failed,
        error: run.error,
        expectedDeliveries,
        deliveries,
        ...cpu,
      };
      ctx.log(`publish ${name}: ${JSON.stringify(result[name])}`);
    }
    const rate = (/** @type {string} */ name) => /** @type {{ publishesPerSec: number | null }} */ (result[name]).publishesPerSec ?? 0;
    result["httpOverScript"] = rate("redisScript") > 0 ? round(rate("http") / rate("redisScript")) : null;
    return result;
  } finally {
    agent.destroy();
    await broker.close();
    client.disconnect();
  }
}
