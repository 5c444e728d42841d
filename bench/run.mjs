#!/usr/bin/env node
// `npm run bench [-- --quick] [--n 500,2000] [--systems a,b,h] [--scenarios idle,burst] [--workers 2]
//  [--idle-ms 5000] [--wait-quiet 60] [--rounds 3] [--out file.json] [--doc] [--help]` (lib/args.mjs)
// Raises the file-descriptor limit (re-exec through `sh -c 'ulimit -n …'`), starts a private
// redis-server, runs the suite, writes the JSON and (full runs) docs/benchmarks.md.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { USAGE, UsageError, benchArgs } from "./lib/args.mjs";
import { killAll } from "./lib/children.mjs";
import { describeMachine } from "./lib/machine.mjs";
import { FULL, FULL_COUNTS, HEARTBEAT_MS, QUICK, QUICK_COUNTS } from "./lib/params.mjs";
import { startRedis } from "./lib/redis.mjs";
import { runSuite } from "./lib/suite.mjs";
import { writeReport } from "./report/markdown.mjs";
import { ROUNDS_FILE } from "./report/rounds.mjs";
import { SCENARIOS } from "./scenarios/index.mjs";
import { SYSTEMS } from "./systems/index.mjs";

const WANTED_FDS = 200_000;
const here = (/** @type {string} */ p) => fileURLToPath(new URL(p, import.meta.url));

/** @type {ReturnType<typeof benchArgs>} */
let args;
try {
  args = benchArgs(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`[bench] ${error.message}\nSee \`npm run bench -- --help\` for the options.`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

if (process.env["BENCH_REEXEC"] !== "1") {
  // Raise the limit as far as the machine allows, then run this file again under it.
  const script = `ulimit -n ${WANTED_FDS} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  const child = spawn("sh", ["-c", script, process.execPath, "--max-old-space-size=4096", fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: "inherit",
    env: { ...process.env, BENCH_REEXEC: "1" },
  });
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await main(args);
}

/** @returns {number} this process's open-files limit */
function fdLimit() {
  const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
  return Number(line?.split(/\s+/)[3] ?? 1024);
}

/** @param {ReturnType<typeof benchArgs>} args */
async function main(args) {
  const { quick } = args;
  const counts = args.counts ?? (quick ? QUICK_COUNTS : FULL_COUNTS);
  const pick = args.systems;
  const systems = pick ? SYSTEMS.filter((s) => pick.includes(s.key) || pick.includes(s.name)) : SYSTEMS;
  const scenarios = args.scenarios ?? [...SCENARIOS];
  const workers = args.workers ?? 2;
  // --rounds R: each (system, N) R times, interleaved (report/rounds.mjs takes the median of each figure).
  const rounds = args.rounds ?? 1;
  const params = { ...(quick ? QUICK : FULL) };
  if (args.idleMs !== undefined) params.idleMs = params.idleMsLargest = args.idleMs;
  const heartbeatMs = quick ? HEARTBEAT_MS.quick : HEARTBEAT_MS.full;
  const full = !quick && !pick && !args.counts && !args.scenarios;
  const out = args.out ?? (rounds > 1 && !quick && !full ? ROUNDS_FILE : here(`./results/${quick ? "quick" : full ? "latest" : "partial"}.json`));
  const limit = fdLimit();
  process.env["BENCH_FD_LIMIT"] = String(limit);

  // Every run stops by itself: a watchdog well past the expected duration.
  const watchdogMs = (quick ? 5 : 60) * 60_000;
  setTimeout(() => {
    console.error(`[bench] watchdog: still running after ${watchdogMs / 60_000} min; stopping everything`);
    killAll();
    process.exit(2);
  }, watchdogMs).unref();
  process.on("uncaughtException", (error) => {
    console.error("[bench] uncaught:", error);
    killAll();
    process.exit(1);
  });
  process.on("unhandledRejection", (error) => {
    console.error("[bench] unhandled rejection:", error);
    killAll();
    process.exit(1);
  });

  // --wait-quiet <seconds>: before every (system, N) round, wait up to this long for a quiet machine.
  const quietMs = (args.waitQuietS ?? 0) * 1000;
  const started = new Date();
  const machine = { ...describeMachine({ fdLimit: limit }), loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100) };
  if ((machine.loadAverageAtStart[0] ?? 0) > 1.5) {
    console.log(`[bench] !!! the machine is busy (load average ${machine.loadAverageAtStart.join(", ")}): figures will be noisy; see "other-load" flags`);
  }
  console.log(`[bench] ${quick ? "quick" : full ? "full" : "partial"} run${rounds > 1 ? ` (${rounds} rounds)` : ""}: N=${counts.join(",")}, systems ${systems.map((s) => s.key).join("")}, ${workers} load workers, fd limit ${limit}`);
  console.log(`[bench] machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, Redis ${machine.redis}, nginx ${machine.nginx}, PHP ${machine.php}`);
  if (limit < Math.max(...counts) + 200) console.log(`[bench] !!! the fd limit (${limit}) forbids N=${Math.max(...counts)}: such rounds are reported as forbidden`);

  const redis = await startRedis();
  mkdirSync(here("./results"), { recursive: true });
  const report = {
    meta: { startedAt: started.toISOString(), finishedAt: "", wallSeconds: 0, quick, full, command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(), machine, params, heartbeatMs, workers, counts, rounds },
    systems: systems.map((s) => ({ key: s.key, name: s.name, label: s.label, ours: s.ours })),
    results: /** @type {any[]} */ ([]),
  };
  // Each result is saved as it comes, beside `out` (`<out>.part`): an interrupted run keeps what it
  // measured without overwriting the results of the last finished run, which only a finished run replaces.
  const partial = `${out}.part`;
  const save = () => {
    report.meta.finishedAt = new Date().toISOString();
    report.meta.wallSeconds = Math.round((Date.now() - started.getTime()) / 1000);
    writeFileSync(partial, `${JSON.stringify(report, null, 2)}\n`);
  };
  try {
    report.results = await runSuite({
      counts, systems, scenarios, params, heartbeatMs, workers, fdLimit: limit, redis, quietMs, rounds,
      onResult: (r) => {
        report.results.push(r);
        save();
      },
    });
  } finally {
    await redis.stop();
  }
  save();
  renameSync(partial, out);
  console.log(`[bench] wrote ${out} (${report.meta.wallSeconds} s)`);
  if (full || args.doc) {
    const doc = here("../docs/benchmarks.md");
    writeReport(report, doc);
    console.log(`[bench] wrote ${doc}`);
  } else if (rounds > 1 && out === ROUNDS_FILE) {
    // A rounds run decides the close calls of the last full run: the doc is rewritten with both.
    const doc = here("../docs/benchmarks.md");
    writeReport(JSON.parse(readFileSync(here("./results/latest.json"), "utf8")), doc, report);
    console.log(`[bench] wrote ${doc}`);
  }
  process.exit(report.results.some((r) => r.status === "error") ? 1 : 0);
}
