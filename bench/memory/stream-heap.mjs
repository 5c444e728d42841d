#!/usr/bin/env node
// `node bench/memory/stream-heap.mjs [--systems i,h] [--n 2000,10000] [--passes memory,heap]
//  [--settle-ms 1000] [--holders "IncomingMessage,(string) holding a JWT"] [--path Socket] [--top 30] [--out file.json] [--keep dir]`
//
// What a server holds per open stream: it starts a bench system (default (i), the `realtime-bookings
// serve` CLI with JWT auth on Redis, and (h), the bare node:http floor) with probe-preload.mjs in it,
// opens N streams from the bench's load generator (raw sockets, spread over source addresses, each
// (i) stream with its own token in `?token=`), and compares the server at 0 and at N streams:
//   - pass `memory`: PSS (from /proc), and Node's memoryUsage() and V8 heap spaces after two full GCs;
//   - pass `allocations` (opt-in): V8's sampling heap profiler while the N streams open, objects
//     since collected included: bytes allocated per stream, by module and by function;
//   - pass `heap`: two heap snapshots, their objects grouped by constructor / kind, self size and count
//     per stream, and, with --holders, who references each listed group (--path: one root chain).
// Each pass starts its own server: a snapshot's own allocations would distort the PSS figures.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killAll } from "../lib/children.mjs";
import { freePort, sleep } from "../lib/net.mjs";
import { sampleTree } from "../lib/proc.mjs";
import { startRedis } from "../lib/redis.mjs";
import { LoadGenerator } from "../load/generator.mjs";
import { SYSTEMS } from "../systems/index.mjs";
import { groupSizes, holdersOf, pathTo } from "./heap-groups.mjs";
import { readHeapSnapshot } from "./heap-snapshot.mjs";

const PROBE = fileURLToPath(new URL("./probe-preload.mjs", import.meta.url));
const WANTED_FDS = 60_000;
/** Node flags given for the servers (e.g. `--max-semi-space-size=4`), before the probe's. */
const EXTRA_NODE_ARGS = process.env["BENCH_SERVER_NODE_ARGS"] ?? "";

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = /** @type {string} */ (argv[i]);
    if (a.startsWith("--")) args[a.slice(2)] = argv[i + 1]?.startsWith("--") === false ? /** @type {string} */ (argv[++i]) : "true";
  }
  return args;
}

/** A line-per-command client of probe-preload.mjs. @param {number} port */
async function probeClient(port) {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.setEncoding("utf8");
  let buffered = "";
  /** @type {((line: string) => void)[]} */
  const waiting = [];
  socket.on("data", (chunk) => {
    buffered += chunk;
    for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
      waiting.shift()?.(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
  });
  return {
    /** @param {string} command */
    async ask(command) {
      const line = await new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(`${command}\n`);
      });
      const reply = JSON.parse(/** @type {string} */ (line));
      if (!reply.ok) throw new Error(`probe: ${reply.error}`);
      return reply;
    },
    close: () => socket.destroy(),
  };
}

const round = (/** @type {number} */ x, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Starts a system with the probe in it, measures at 0 streams, opens `n`, measures again, stops.
 *
 * @param {{ system: import("../systems/types.mjs").SystemDefinition, n: number, settleMs: number, redis: import("../lib/redis.mjs").BenchRedis, generator: LoadGenerator, measure: (probe: Awaited<ReturnType<typeof probeClient>>, phase: "before" | "after", pids: number[]) => Promise<unknown> }} options
 */
async function withStreams({ system, n, settleMs, redis, generator, measure }) {
  const port = await freePort();
  process.env["MEM_PROBE_PORT"] = String(port);
  process.env["BENCH_SERVER_NODE_ARGS"] = `${EXTRA_NODE_ARGS} --import ${PROBE}`;
  await redis.flush();
  const tmpDir = mkdtempSync(join(tmpdir(), `stream-heap-${system.name}-`));
  const instance = await system.start({ n, redis, tmpDir, heartbeatMs: 15_000 });
  let probe;
  try {
    probe = await probeClient(port);
    await sleep(500);
    const before = await measure(probe, "before", instance.pids());
    const opened = await generator.connect(instance.target, Array.from({ length: n }, () => ({ role: /** @type {const} */ ("admin") })), { timeoutMs: 120_000 });
    if (opened.live < n) throw new Error(`${system.name}: ${opened.live} of ${n} streams live (${JSON.stringify(opened.lostReasons)})`);
    console.log(`[stream-heap] ${system.name}: ${n} streams live in ${Math.round(opened.ms)} ms`);
    await sleep(settleMs);
    const after = await measure(probe, "after", instance.pids());
    return { before, after };
  } finally {
    probe?.close();
    await generator.closeAll().catch(() => {});
    await instance.stop().catch(() => {});
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

/** Memory pass: PSS and the V8 figures, per stream. */
async function memoryPass(/** @type {Omit<Parameters<typeof withStreams>[0], "measure">} */ options) {
  const { before, after } = /** @type {{ before: any, after: any }} */ (
    await withStreams({ ...options, measure: async (probe, _phase, pids) => ({ ...(await probe.ask("measure")), pssKiB: sampleTree(pids).pssKiB }) })
  );
  const per = (/** @type {number} */ bytes) => round(bytes / options.n);
  /** @type {Record<string, number>} */
  const spaces = {};
  for (const name of Object.keys(after.spaces)) spaces[name] = per(after.spaces[name].physical - (before.spaces[name]?.physical ?? 0));
  const heapPhysical = Object.values(spaces).reduce((a, b) => a + b, 0);
  return {
    pss: per((after.pssKiB - before.pssKiB) * 1024),
    rss: per(after.rss - before.rss),
    heapUsed: per(after.heapUsed - before.heapUsed),
    heapTotal: per(after.heapTotal - before.heapTotal),
    external: per(after.external - before.external),
    arrayBuffers: per(after.arrayBuffers - before.arrayBuffers),
    heapPhysicalBySpace: spaces,
    /** RSS beyond the V8 heap's pages: malloc (native objects, buffers, parsers), stacks. */
    outsideHeap: per(after.rss - before.rss) - heapPhysical,
  };
}

/**
 * Allocations pass: V8's sampling heap profiler from 0 to N streams, objects since collected
 * included: the bytes allocated per stream opened, by function and by module.
 */
async function allocationsPass(/** @type {Omit<Parameters<typeof withStreams>[0], "measure"> & { top: number }} */ options) {
  const { after } = /** @type {{ after: any }} */ (
    await withStreams({ ...options, measure: async (probe, phase) => (await probe.ask(`sample ${phase === "before" ? "start" : "stop"}`)).profile })
  );
  /** @type {Map<string, number>} */
  const byFunction = new Map();
  /** @type {Map<string, number>} */
  const byModule = new Map();
  /** @type {any[]} */
  const stack = [after];
  let total = 0;
  for (let guard = 0; stack.length > 0 && guard < 10_000_000; guard++) {
    const node = stack.pop();
    stack.push(...(node.children ?? []));
    if (!node.selfSize) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const module = moduleOf(url);
    const key = `${functionName || "(anonymous)"} (${module}${url ? `:${url.split("/").pop()}:${lineNumber + 1}` : ""})`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    byModule.set(module, (byModule.get(module) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  const top = (/** @type {Map<string, number>} */ map, /** @type {number} */ count) =>
    [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, bytes]) => ({ name, bytes: round(bytes / options.n) }));
  return { total: round(total / options.n), byModule: top(byModule, 12), byFunction: top(byFunction, options.top) };
}

/** The package or part of Node a script belongs to. @param {string} url */
function moduleOf(url) {
  if (!url) return "(native or V8)";
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (pkg) return pkg;
  const ours = url.match(/packages\/([^/]+)\//)?.[1];
  return ours ? `@realtime-bookings/${ours}` : url.split("/").slice(-2).join("/");
}

/** Heap pass: two snapshots, grouped, per stream. */
async function heapPass(/** @type {Omit<Parameters<typeof withStreams>[0], "measure"> & { dir: string, holders: string[], path: string | undefined, top: number }} */ options) {
  const { system, n, dir } = options;
  const { before, after } = /** @type {{ before: string, after: string }} */ (
    await withStreams({
      ...options,
      measure: async (probe, phase) => (await probe.ask(`snapshot ${join(dir, `${system.name}-${n}-${phase}.heapsnapshot`)}`)).path,
    })
  );
  const first = readHeapSnapshot(before);
  const a = groupSizes(first);
  const second = readHeapSnapshot(after);
  const b = groupSizes(second);
  const per = (/** @type {number} */ x) => round(x / n, 2);
  const groups = [...new Set([...a.groups.keys(), ...b.groups.keys()])]
    .map((group) => {
      const x = a.groups.get(group) ?? { bytes: 0, count: 0 };
      const y = b.groups.get(group) ?? { bytes: 0, count: 0 };
      return { group, bytes: per(y.bytes - x.bytes), count: per(y.count - x.count) };
    })
    .sort((p, q) => q.bytes - p.bytes);
  const closures = [...b.closures.entries()]
    .map(([name, y]) => ({ name, bytes: per(y.bytes - (a.closures.get(name)?.bytes ?? 0)), count: per(y.count - (a.closures.get(name)?.count ?? 0)) }))
    .filter((c) => c.count >= 0.5)
    .sort((p, q) => q.bytes - p.bytes);
  /** @type {Record<string, Record<string, number>>} */
  const holders = {};
  for (const group of options.holders) {
    holders[group] = Object.fromEntries([...holdersOf(second, group).entries()].map(([k, v]) => [k, per(v)]).filter(([, v]) => Number(v) >= 0.5).sort((p, q) => Number(q[1]) - Number(p[1])));
  }
  const path = options.path ? pathTo(second, options.path) : undefined;
  return { total: per(b.total - a.total), groups: groups.slice(0, options.top), closures: closures.slice(0, 15), holders, path };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const keys = (args["systems"] ?? "i,h").split(",");
  const systems = keys.map((key) => {
    const system = SYSTEMS.find((s) => s.key === key || s.name === key);
    if (!system) throw new Error(`no system ${key}`);
    return system;
  });
  const counts = (args["n"] ?? "2000").split(",").map(Number);
  // How long the streams stay open before the second measurement (the bench's idle scenario: 1 s).
  const settleMs = Number(args["settle-ms"] ?? 1_000);
  const passes = (args["passes"] ?? "memory,heap").split(",");
  const holders = args["holders"] ? args["holders"].split(",") : [];
  const top = Number(args["top"] ?? 30);
  const dir = args["keep"] ?? mkdtempSync(join(tmpdir(), "stream-heap-"));
  mkdirSync(dir, { recursive: true });
  const redis = await startRedis();
  const generator = new LoadGenerator({ workers: 2 });
  const results = [];
  try {
    await generator.ready();
    for (const n of counts) {
      for (const system of systems) {
        const result = { system: system.key, name: system.name, n, node: process.version, memory: /** @type {unknown} */ (undefined), allocations: /** @type {unknown} */ (undefined), heap: /** @type {unknown} */ (undefined) };
        if (passes.includes("memory")) result.memory = await memoryPass({ system, n, settleMs, redis, generator });
        if (passes.includes("allocations")) result.allocations = await allocationsPass({ system, n, settleMs, redis, generator, top });
        if (passes.includes("heap")) result.heap = await heapPass({ system, n, settleMs, redis, generator, dir, holders, path: args["path"], top });
        results.push(result);
        print(result);
      }
    }
  } finally {
    await generator.stop();
    await redis.stop();
    if (!args["keep"]) rmSync(dir, { recursive: true, force: true });
  }
  if (args["out"]) writeFileSync(args["out"], `${JSON.stringify({ machine: machine(), results }, null, 2)}\n`);
  process.exit(0);
}

function machine() {
  const cpu = readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/)?.[1];
  return { node: process.version, cpu, cores: readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm)?.length };
}

/** @param {any} result */
function print(result) {
  console.log(`\n## ${result.system}) ${result.name}, N = ${result.n} (${result.node}), bytes per stream`);
  if (result.memory) console.log(JSON.stringify(result.memory));
  if (result.allocations) {
    console.log(`allocated while opening: ${result.allocations.total} B per stream; by module:`, result.allocations.byModule.map((/** @type {any} */ m) => `${m.name} ${m.bytes}`).join(", "));
    for (const f of result.allocations.byFunction) console.log(`  ${f.bytes}\t${f.name}`);
  }
  if (!result.heap) return;
  console.log(`JS heap (snapshot self sizes): ${result.heap.total} B per stream`);
  console.log("| group | bytes | count |\n| --- | ---: | ---: |");
  for (const g of result.heap.groups) console.log(`| ${g.group} | ${g.bytes} | ${g.count} |`);
  console.log("closures:", result.heap.closures.map((/** @type {any} */ c) => `${c.name} ${c.bytes} B ×${c.count}`).join("; "));
  for (const [group, by] of Object.entries(result.heap.holders)) console.log(`held: ${group} ←`, JSON.stringify(by));
  if (result.heap.path) console.log("path:", result.heap.path.join("  "));
}

if (process.env["BENCH_REEXEC"] !== "1") {
  // 10,000 streams need more descriptors than the default 1,024: raise the limit, then run again under it.
  const script = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  const child = spawn("sh", ["-c", script, process.execPath, "--max-old-space-size=6144", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, BENCH_REEXEC: "1" },
  });
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  setTimeout(() => {
    console.error("[stream-heap] watchdog: still running after 20 min; stopping everything");
    killAll();
    process.exit(2);
  }, 20 * 60_000).unref();
  await main().catch((error) => {
    console.error(error);
    killAll();
    process.exit(1);
  });
}
