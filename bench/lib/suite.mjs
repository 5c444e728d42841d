// Runs every system through every scenario at every N, in one process, one after another, and
// collects the figures. Each system gets a fresh temp dir and a flushed Redis.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LoadGenerator } from "../load/generator.mjs";
import { broadcast, burst, filtered, idle, publish, reconnect } from "../scenarios/index.mjs";
import { sleep } from "./net.mjs";
import { sampleTree } from "./proc.mjs";
import { waitQuiet } from "./quiet.mjs";

/**
 * @typedef {object} SuiteOptions
 * @property {number[]} counts
 * @property {import("../systems/types.mjs").SystemDefinition[]} systems
 * @property {string[]} scenarios
 * @property {import("../scenarios/common.mjs").ScenarioParams} params
 * @property {number} heartbeatMs
 * @property {number} workers
 * @property {number} fdLimit
 * @property {import("./redis.mjs").BenchRedis} redis
 * @property {number} quietMs - before each round, wait up to this long for the shared machine to go quiet
 * @property {number} [rounds] - how many times each (system, N) runs, interleaved: every system's first
 *   round at an N, then every system's second, and so on (default 1; see `report/rounds.mjs`)
 * @property {(result: object) => void} onResult - called after each (system, N)
 */

/** Whether an external binary (or an absolute path, e.g. a module .so) is available. @param {string} name */
export function hasBinary(name) {
  if (name.startsWith("/")) return existsSync(name);
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/** @param {string} message */
const log = (message) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/**
 * Opens connections and reports how many went live.
 *
 * @param {LoadGenerator} generator
 * @param {import("../systems/types.mjs").SystemInstance} instance
 * @param {number} deadlineMs
 * @param {import("../load/generator.mjs").Scope[]} scopes
 */
async function connect(generator, instance, deadlineMs, scopes) {
  const r = await generator.connect(instance.target, scopes, { timeoutMs: deadlineMs });
  return { live: r.live, requested: scopes.length, ms: Math.round(r.ms), lostReasons: r.lostReasons };
}

/**
 * One system at one N: start, baseline, N admins → idle, broadcast, burst, reconnect storm;
 * N specialists → filtered; stop.
 *
 * @param {SuiteOptions} options
 * @param {LoadGenerator} generator
 * @param {import("../systems/types.mjs").SystemDefinition} system
 * @param {number} n
 * @param {{ value: number }} seq
 */
async function runOne(options, generator, system, n, seq) {
  const tmpDir = mkdtempSync(join(tmpdir(), `bench-${system.name}-`));
  /** @type {Record<string, unknown>} */
  const scenarios = {};
  const result = { system: system.key, name: system.name, n, status: "ok", error: undefined, nReached: n, ceiling: undefined, connect: {}, notes: /** @type {string[]} */ ([]), scenarios };
  let instance;
  try {
    await options.redis.flush();
    const startContext = { n, redis: options.redis, tmpDir, heartbeatMs: options.heartbeatMs };
    instance = await system.start(startContext).catch(async (error) => {
      // One retry: in a shared tree a workspace package may be mid-rebuild for a moment.
      log(`${system.name}: start failed (${String(error).split("\n")[0]}); retrying once in 3 s`);
      await sleep(3000);
      return system.start(startContext);
    });
    result.notes = instance.notes;
    await sleep(options.params.pauseMs);
    const heap = instance.gc ? (await instance.gc()).reduce((a, m) => a + m.heapUsed, 0) : null;
    const tree = instance.baseline ? instance.baseline() : sampleTree(instance.pids());
    const baseline = { pssKiB: tree.pssKiB, rssKiB: tree.rssKiB, heapUsed: heap, redisRssKiB: sampleTree([options.redis.pid]).rssKiB };
    /** @type {import("../scenarios/common.mjs").ScenarioContext} */
    const ctx = {
      system,
      instance,
      generator,
      redis: options.redis,
      n,
      params: { ...options.params, idleMs: n === Math.max(...options.counts) ? options.params.idleMsLargest : options.params.idleMs },
      takeSeq: (count) => {
        const first = seq.value;
        seq.value += count;
        return first;
      },
      log,
      idle: {},
    };
    const wants = (/** @type {string} */ name) => options.scenarios.includes(name);
    const adminScenarios = ["idle", "broadcast", "burst", "reconnect", "publish"].filter(wants);
    if (adminScenarios.length > 0) {
      const count = Math.min(n, instance.maxConnections ?? n);
      result.ceiling = instance.ceilingReason;
      const c = await connect(generator, instance, options.params.connectDeadlineMs, Array.from({ length: count }, () => ({ role: /** @type {const} */ ("admin") })));
      result.connect = c;
      result.nReached = c.live;
      if (c.live < count) {
        result.ceiling = `${result.ceiling ? `${result.ceiling}; ` : ""}${c.live} of ${count} streams live within the ${options.params.connectDeadlineMs / 1000} s connect deadline`;
      }
      log(`${system.name} N=${n}: ${c.live}/${n} live in ${c.ms} ms${result.ceiling ? ` (ceiling: ${result.ceiling})` : ""}`);
      if (c.live === 0) throw new Error(`no connection could be opened: ${JSON.stringify(c.lostReasons)}`);
      const state = { baseline, live: c.live };
      for (const [name, fn] of /** @type {const} */ ([["idle", idle], ["broadcast", broadcast], ["burst", burst], ["reconnect", reconnect], ["publish", publish]])) {
        if (!wants(name)) continue;
        const t = performance.now();
        // A scenario that fails (e.g. a publish the server cannot answer) is a result; the next still runs.
        scenarios[name] = await fn(ctx, state).catch((error) => {
          log(`!!! ${system.name} N=${n}: ${name} failed: ${String(error).split("\n")[0]}`);
          return { error: String(error?.message ?? error) };
        });
        log(`${system.name} N=${n}: ${name} done in ${Math.round(performance.now() - t)} ms`);
      }
      await generator.closeAll();
      await sleep(options.params.pauseMs);
      await instance.afterClose?.();
    }
    if (wants("filtered")) {
      const count = Math.min(n, instance.maxConnections ?? n);
      const c = await connect(generator, instance, options.params.connectDeadlineMs, Array.from({ length: count }, (_, i) => ({ role: /** @type {const} */ ("specialist"), specialist: i + 1 })));
      log(`${system.name} N=${n}: ${c.live}/${count} specialists live in ${c.ms} ms`);
      if (adminScenarios.length === 0) result.nReached = c.live;
      const t = performance.now();
      scenarios["filtered"] = await filtered(ctx, { live: c.live }).catch((error) => {
        log(`!!! ${system.name} N=${n}: filtered failed: ${String(error).split("\n")[0]}`);
        return { error: String(error?.message ?? error) };
      });
      log(`${system.name} N=${n}: filtered done in ${Math.round(performance.now() - t)} ms`);
      await generator.closeAll();
    }
  } catch (error) {
    result.status = "error";
    result.error = String(/** @type {Error} */ (error)?.stack ?? error);
    log(`!!! ${system.name} N=${n} failed: ${result.error}`);
    await generator.closeAll().catch(() => {});
  } finally {
    await instance?.stop().catch((error) => log(`stopping ${system.name}: ${error}`));
    rmSync(tmpDir, { recursive: true, force: true });
    await sleep(options.params.pauseMs);
  }
  return result;
}

/**
 * Runs the suite. Systems whose binaries are missing are skipped with a loud message, or fail the
 * run when `CI=true`.
 *
 * @param {SuiteOptions} options
 */
export async function runSuite(options) {
  const results = [];
  const generator = new LoadGenerator({ workers: options.workers });
  await generator.ready();
  const seq = { value: 1 };
  try {
    for (const n of options.counts) {
      const needed = Math.ceil(n / options.workers) + 500;
      if (options.fdLimit < needed) {
        const message = `the machine forbids N=${n}: the file-descriptor limit is ${options.fdLimit}`;
        log(`!!! ${message}`);
        for (const system of options.systems) results.push({ system: system.key, name: system.name, n, status: "forbidden", error: message, scenarios: {} });
        continue;
      }
      const rounds = Math.max(1, options.rounds ?? 1);
      const schedule = Array.from({ length: rounds }, (_, k) => options.systems.map((system) => /** @type {const} */ ([k + 1, system]))).flat();
      for (const [round, system] of schedule) {
        // The limit is per process: a system whose sockets are spread over processes may pass it.
        const share = Math.ceil(n / (system.socketProcesses ?? 1)) + 200;
        if (options.fdLimit < share) {
          const message = `one process cannot hold ${n.toLocaleString("en-US")} sockets: the open-files limit is ${options.fdLimit.toLocaleString("en-US")} per process`;
          log(`!!! ${system.key}) ${message}`);
          if (round === 1) results.push({ system: system.key, name: system.name, n, status: "forbidden", error: message, scenarios: {} });
          continue;
        }
        const missing = system.binaries.filter((b) => !hasBinary(b));
        if (missing.length > 0) {
          const message = `${system.label}: missing ${missing.join(", ")} (apt-get install -y php-fpm php-redis php-cli nginx libnginx-mod-nchan redis-server)`;
          if (process.env["CI"] === "true") throw new Error(`${message}; required in CI`);
          log(`\n!!!!!!!!\n!!! SKIPPING ${message}\n!!!!!!!!`);
          if (round === 1) results.push({ system: system.key, name: system.name, n, status: "skipped", error: message, scenarios: {} });
          continue;
        }
        const busy = options.quietMs > 0 ? await waitQuiet(options.quietMs) : undefined;
        const of = rounds > 1 ? `, round ${round} of ${rounds}` : "";
        log(`── ${system.key}) ${system.label}, N=${n}${of}${busy === undefined ? "" : ` (machine ${busy}% busy by others at start)`}`);
        const result = { ...(await runOne(options, generator, system, n, seq)), machineBusyAtStartPercent: busy, ...(rounds > 1 ? { round } : {}) };
        results.push(result);
        options.onResult(result);
      }
    }
  } finally {
    await generator.stop();
  }
  return results;
}
