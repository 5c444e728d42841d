// The close calls, decided by rounds. One broadcast round cannot decide a ±20 % ratio: at 500 streams
// a p99 over 100 events is about the slowest event's tail (nchan measured 18.8, 35.4 and 15.6 ms in
// three full runs), and an idle window may or may not hold V8's post-load memory-reducer GCs.
// `npm run bench -- --rounds 3 …` runs each (system, N) several times, interleaved (every system's
// first round at an N, then every system's second…), so drift of the machine falls on every system
// alike; this module takes each figure's median over the rounds. Written to results/rounds.json.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { figures } from "./figures.mjs";
import { num, table } from "./format.mjs";

/** Where a rounds run writes by default, beside results/latest.json. */
export const ROUNDS_FILE = fileURLToPath(new URL("../results/rounds.json", import.meta.url));

/**
 * The median of `values` (the mean of the two middle ones for an even count).
 *
 * @param {number[]} values
 * @returns {number | null} `null` when there are none
 */
export function median(values) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? /** @type {number} */ (sorted[mid]) : (/** @type {number} */ (sorted[mid - 1]) + /** @type {number} */ (sorted[mid])) / 2;
}

/**
 * @typedef {object} RoundsFigure
 * @property {string} system
 * @property {number} n
 * @property {number[]} p99s - broadcast p99 of each round that measured it, in round order (ms)
 * @property {number[]} idleCpus - idle CPU of each round that measured it, in round order (% of a core)
 * @property {number | null} p99 - their median
 * @property {number | null} idleCpu - their median
 */

/**
 * Each (system, N) of a rounds run, with every round's broadcast p99 and idle CPU and their medians.
 * Rounds that failed are left out (their count shows in the arrays' length).
 *
 * @param {any} report - a bench JSON written with `--rounds`
 * @returns {RoundsFigure[]}
 */
export function summarizeRounds(report) {
  /** @type {Map<string, RoundsFigure>} */
  const out = new Map();
  for (const r of report.results) {
    if (r.status !== "ok") continue;
    const key = `${r.system}@${r.n}`;
    let entry = out.get(key);
    if (!entry) out.set(key, (entry = { system: r.system, n: r.n, p99s: [], idleCpus: [], p99: null, idleCpu: null }));
    const f = figures(r);
    if (typeof f.broadcastP99 === "number") entry.p99s.push(f.broadcastP99);
    if (typeof f.idleCpuPercent === "number") entry.idleCpus.push(f.idleCpuPercent);
  }
  for (const entry of out.values()) {
    entry.p99 = median(entry.p99s);
    entry.idleCpu = median(entry.idleCpus);
  }
  return [...out.values()];
}

/**
 * The rounds run that decides the close calls of a full run: results/rounds.json when it exists and
 * started after the full run (an older one measured other code), else `undefined`.
 *
 * @param {any} full - the full run's bench JSON
 * @param {string} [path]
 */
export function loadRounds(full, path = ROUNDS_FILE) {
  if (!existsSync(path)) return undefined;
  const rounds = JSON.parse(readFileSync(path, "utf8"));
  return rounds.meta.startedAt > full.meta.startedAt ? rounds : undefined;
}

/**
 * The rounds section of docs/benchmarks.md: the run, then each (system, N)'s figures by round and
 * their medians.
 *
 * @param {any} rounds - a bench JSON written with `--rounds`
 * @returns {string}
 */
export function renderRounds(rounds) {
  const labels = new Map(rounds.systems.map((/** @type {any} */ s) => [s.key, s.label]));
  const lines = [
    "## The close calls, in interleaved rounds",
    "",
    `Where one round cannot decide a target, a second run measures it again, ${rounds.meta.rounds} rounds per system, interleaved ` +
      "(every system's first round at an N, then every system's second, and so on), and the targets of issue 16 read the medians. " +
      `Run ${rounds.meta.startedAt} → ${rounds.meta.finishedAt}, ${Math.round(rounds.meta.wallSeconds / 60)} min: \`${rounds.meta.command}\`.`,
    "",
  ];
  const rows = summarizeRounds(rounds).map((e) => [
    `${e.system}) ${labels.get(e.system) ?? e.system}`,
    e.n.toLocaleString("en-US"),
    e.p99s.map((x) => num(x, 2)).join(" / ") || "–",
    num(e.p99, 2),
    e.idleCpus.map((x) => num(x, 2)).join(" / ") || "–",
    num(e.idleCpu, 2),
  ]);
  lines.push(table(["system", "N", "broadcast p99 ms, by round", "median", "idle CPU %, by round", "median"], rows));
  lines.push("");
  return lines.join("\n");
}
