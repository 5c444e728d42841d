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
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { killAll } from "../lib/children.mjs";
import { startRedis } from "../lib/redis.mjs";
import { LoadGenerator } from "../load/generator.mjs";
import { SYSTEMS } from "../systems/index.mjs";
import { allocationsPass, heapPass, memoryPass } from "./passes.mjs";

const WANTED_FDS = 60_000;

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
        if (passes.includes("heap")) result.heap = await heapPass({ system, n, settleMs, redis, generator, dir, holders, path: args["path"] });
        results.push(result);
        print(result, top);
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

/** @param {any} result @param {number} top - how many groups and functions to print */
function print(result, top) {
  console.log(`\n## ${result.system}) ${result.name}, N = ${result.n} (${result.node}), bytes per stream`);
  if (result.memory) console.log(JSON.stringify(result.memory));
  if (result.allocations) {
    console.log(`allocated while opening: ${result.allocations.total} B per stream; by module:`, result.allocations.byModule.map((/** @type {any} */ m) => `${m.name} ${m.bytes}`).join(", "));
    for (const f of result.allocations.byFunction) console.log(`  ${f.bytes}\t${f.name}`);
  }
  if (!result.heap) return;
  console.log(`JS heap (snapshot self sizes): ${result.heap.total} B per stream`);
  console.log("| group | bytes | count |\n| --- | ---: | ---: |");
  for (const g of result.heap.groups.slice(0, top)) console.log(`| ${g.group} | ${g.bytes} | ${g.count} |`);
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
