// Checks the issues' targets against a bench JSON: issue 6 (this hub against the floor and its
// peers) and issue 16 (ahead of nginx + nchan at every N, memory, publish CPU, all cores).
import { figures } from "./figures.mjs";
import { num } from "./format.mjs";
import { summarizeRounds } from "./rounds.mjs";

/** This project's systems: in-memory, Redis, ×2 processes, the CLI with JWT, the CLI with --workers 2. */
const OURS = ["a", "b", "c", "i", "j"];

/** @typedef {{ ok: boolean | null, text: string }} Check */

/** @param {any} report */
function lookup(report) {
  return (/** @type {string} */ key, /** @type {number} */ n) =>
    report.results.find((/** @type {any} */ r) => r.system === key && r.n === n && r.status === "ok");
}

/**
 * Issue 6: this hub (a) against the floor (h) and its peers.
 *
 * @param {any} report
 * @returns {Check[]}
 */
export function checkTargets(report) {
  /** @type {Check[]} */
  const out = [];
  const get = lookup(report);
  // Only the counts one process may hold (past them (a) is forbidden by the open-files limit).
  const counts = [...new Set(report.results.map((/** @type {any} */ r) => r.n))].filter((n) => report.results.some((/** @type {any} */ r) => r.system === "a" && r.n === n && r.status !== "forbidden"));
  if (counts.length === 0) return [{ ok: null, text: "this hub (a) has no result" }];
  const max = Math.max(...counts);
  const a10 = get("a", max);
  out.push({
    ok: a10 ? a10.nReached === max : false,
    text: `${max.toLocaleString("en-US")} connections in one process: ${a10 ? `${a10.nReached.toLocaleString("en-US")} live` : "no result"}`,
  });
  for (const n of counts) {
    const a = get("a", n);
    const h = get("h", n);
    if (!a || !h) {
      out.push({ ok: null, text: `N=${n}: ours or the floor has no result` });
      continue;
    }
    const fa = figures(a);
    const fh = figures(h);
    const mem = fa.pssPerConnKiB / fh.pssPerConnKiB;
    out.push({ ok: mem <= 1.5, text: `N=${n}: idle memory per connection ${num(fa.pssPerConnKiB)} KiB vs floor ${num(fh.pssPerConnKiB)} KiB = ${mem.toFixed(2)}× (target ≤ 1.5×)` });
    const p99 = fa.broadcastP99 / fh.broadcastP99;
    out.push({ ok: p99 <= 1.5, text: `N=${n}: broadcast p99 ${num(fa.broadcastP99, 2)} ms vs floor ${num(fh.broadcastP99, 2)} ms = ${p99.toFixed(2)}× (target ≤ 1.5×)` });
    for (const key of ["d", "e", "f", "g"]) {
      const o = get(key, n);
      if (!o) continue;
      const fo = figures(o);
      const label = report.systems.find((/** @type {any} */ s) => s.key === key)?.label ?? key;
      const ahead = fa.broadcastP99 <= fo.broadcastP99 && fa.pssPerConnKiB <= fo.pssPerConnKiB;
      out.push({
        ok: ahead,
        text: `N=${n}: ahead of ${key}) ${label}: p99 ${num(fa.broadcastP99, 2)} vs ${num(fo.broadcastP99, 2)} ms, memory ${num(fa.pssPerConnKiB)} vs ${num(fo.pssPerConnKiB)} KiB/conn`,
      });
    }
    out.push({ ok: fa.burstLost === 0, text: `N=${n}: burst lost ${fa.burstLost} events' deliveries (must be 0)` });
  }
  const costs = counts.map((n) => figures(get("a", n)).filteredCpuUs).filter((x) => typeof x === "number");
  if (costs.length >= 2) {
    const growth = costs[costs.length - 1] / costs[0];
    out.push({ ok: growth <= 1.5, text: `filtered CPU per event flat in N: ${costs.map((c) => num(c)).join(" → ")} µs (×${growth.toFixed(2)} from smallest to largest N; target ≤ 1.5×)` });
  }
  return out;
}

/**
 * Issue 16: the best of this project's systems against nginx + nchan (g) at 500, 2,000 and 10,000;
 * memory; the publish path's CPU; 20,000 streams with `--workers 2`; idle CPU.
 *
 * Broadcast p99 and idle CPU read the medians of a rounds run when one is given and measured both
 * sides of the comparison (`report/rounds.mjs`); the single round of the full run otherwise.
 *
 * @param {any} report
 * @param {any} [rounds] - a bench JSON written with `--rounds`, later than `report`
 * @returns {Check[]}
 */
export function checkTargets16(report, rounds) {
  /** @type {Check[]} */
  const out = [];
  const get = lookup(report);
  const medians = rounds ? summarizeRounds(rounds) : [];
  /**
   * One figure of a system at N, with what the text says of its source: the median of the rounds run
   * (`fromRounds`), or the full run's single round.
   *
   * @typedef {{ value: number, note: string }} Measured
   */
  const fromRounds = (/** @type {string} */ key, /** @type {number} */ n, /** @type {"p99" | "idleCpu"} */ field) => {
    const e = medians.find((m) => m.system === key && m.n === n);
    const value = e?.[field];
    if (!e || typeof value !== "number") return undefined;
    const values = field === "p99" ? e.p99s : e.idleCpus;
    return /** @type {Measured} */ ({ value, note: ` (median of ${values.length} interleaved rounds: ${values.map((v) => num(v, 2)).join(", ")})` });
  };
  /** The same figures in the full run's results. */
  const inRun = { p99: (/** @type {ReturnType<typeof figures>} */ f) => f.broadcastP99, idleCpu: (/** @type {ReturnType<typeof figures>} */ f) => f.idleCpuPercent };
  const fromRun = (/** @type {string} */ key, /** @type {number} */ n, /** @type {"p99" | "idleCpu"} */ field) => {
    const value = inRun[field](figures(get(key, n)));
    return typeof value === "number" ? /** @type {Measured} */ ({ value, note: "" }) : undefined;
  };
  /** Where a comparison at N reads its figures: the rounds when they measured both sides, else the full run. */
  const source = (
    /** @type {string} */ key,
    /** @type {string[]} */ others,
    /** @type {number} */ n,
    /** @type {"p99" | "idleCpu"} */ field,
  ) =>
    fromRounds(key, n, field) && others.some((k) => fromRounds(k, n, field))
      ? (/** @type {string} */ k) => fromRounds(k, n, field)
      : (/** @type {string} */ k) => fromRun(k, n, field);
  const labelOf = (/** @type {string} */ key) => report.systems.find((/** @type {any} */ s) => s.key === key)?.label ?? key;
  /** The best of ours at N by a figure (lower is better), with its system. */
  const best = (/** @type {number} */ n, /** @type {(f: ReturnType<typeof figures>) => number | null} */ pick) =>
    OURS.map((key) => ({ key, value: pick(figures(get(key, n))) }))
      .filter((x) => typeof x.value === "number")
      .sort((x, y) => /** @type {number} */ (x.value) - /** @type {number} */ (y.value))[0];
  for (const n of [500, 2000, 10_000]) {
    const at = source("g", OURS, n, "p99");
    const g = at("g");
    const ours = OURS.map((key) => ({ key, measured: at(key) }))
      .filter((x) => x.measured !== undefined)
      .sort((x, y) => /** @type {Measured} */ (x.measured).value - /** @type {Measured} */ (y.measured).value)[0];
    if (!g || !ours?.measured) {
      out.push({ ok: null, text: `N=${n.toLocaleString("en-US")}: broadcast p99 vs nchan: no result for ${g ? "ours" : "nchan"}` });
      continue;
    }
    const ratio = ours.measured.value / g.value;
    out.push({
      ok: ratio <= 1,
      text: `N=${n.toLocaleString("en-US")}: broadcast p99, best of ours (${ours.key}) ${labelOf(ours.key)}) ${num(ours.measured.value, 2)} ms${ours.measured.note} vs nchan ${num(g.value, 2)} ms${g.note} = ${ratio.toFixed(2)}× (target ≤ 1.0×)`,
    });
  }
  const g10 = get("g", 10_000);
  const mem10 = best(10_000, (f) => f.pssPerConnKiB);
  if (g10 && mem10) {
    const ratio = /** @type {number} */ (mem10.value) / /** @type {number} */ (figures(g10).pssPerConnKiB);
    out.push({ ok: ratio <= 1, text: `N=10,000: memory per stream, best of ours (${mem10.key})) ${num(mem10.value)} KiB vs nchan ${num(figures(g10).pssPerConnKiB)} KiB = ${ratio.toFixed(2)}× (target ≤ 1.0×)` });
  } else out.push({ ok: null, text: "N=10,000: memory per stream vs nchan: no result" });
  const i2 = get("i", 2000);
  const h2 = get("h", 2000);
  if (i2 && h2) {
    const ratio = figures(i2).pssPerConnKiB / figures(h2).pssPerConnKiB;
    out.push({ ok: ratio <= 1.2, text: `N=2,000: memory per stream with JWT auth (i) ${num(figures(i2).pssPerConnKiB)} KiB vs floor ${num(figures(h2).pssPerConnKiB)} KiB = ${ratio.toFixed(2)}× (target ≤ 1.2×)` });
  } else out.push({ ok: null, text: "N=2,000: memory per stream with JWT auth vs floor: no result" });
  const counts = [500, 2000, 10_000].filter((n) => get("a", n));
  const costs = counts.map((n) => figures(get("a", n)).filteredCpuUs);
  if (costs.length > 0 && costs.every((c) => typeof c === "number")) {
    const worst = Math.max(.../** @type {number[]} */ (costs));
    out.push({ ok: worst <= 50, text: `publish CPU per event (a), N = ${counts.map((n) => n.toLocaleString("en-US")).join(" / ")}: ${costs.map((c) => num(c)).join(" / ")} µs (target ≤ 50 µs, flat in N)` });
  } else out.push({ ok: null, text: "publish CPU per event: no result" });
  const j20 = get("j", 20_000);
  if (j20) {
    const f = figures(j20);
    out.push({
      ok: f.connections === 20_000 && f.burstLost === 0,
      text: `N=20,000 with --workers 2 (j): ${f.connections?.toLocaleString("en-US")} live, burst lost ${f.burstLost}${f.burstStillDraining ? " (still draining)" : ""}, broadcast p99 ${num(f.broadcastP99, 2)} ms (target: 20,000 live, 0 lost, p99 reported)`,
    });
  } else out.push({ ok: null, text: "N=20,000 with --workers 2: no result" });
  const idleAt = source("a", ["h"], 10_000, "idleCpu");
  const [ours10, floor10] = [idleAt("a"), idleAt("h")];
  if (ours10 && floor10) {
    out.push({
      ok: ours10.value <= floor10.value,
      text: `N=10,000: idle CPU (a) ${num(ours10.value, 2)} %${ours10.note} vs floor ${num(floor10.value, 2)} %${floor10.note} of a core (target ≤ the floor's)`,
    });
  } else out.push({ ok: null, text: "N=10,000: idle CPU vs floor: no result" });
  return out;
}
