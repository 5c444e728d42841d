// Checks the issue's targets against a bench JSON.
import { figures } from "./figures.mjs";
import { num } from "./format.mjs";

/**
 * @param {any} report
 * @returns {{ ok: boolean | null, text: string }[]}
 */
export function checkTargets(report) {
  /** @type {{ ok: boolean | null, text: string }[]} */
  const out = [];
  const counts = [...new Set(report.results.map((/** @type {any} */ r) => r.n))];
  const get = (/** @type {string} */ key, /** @type {number} */ n) =>
    report.results.find((/** @type {any} */ r) => r.system === key && r.n === n && r.status === "ok");
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
