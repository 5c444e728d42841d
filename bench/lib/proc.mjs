// Reads memory and CPU of a process tree from /proc (Linux only).
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux/x86). */
export const CLOCK_TICKS = 100;

/**
 * @typedef {object} TreeSample
 * @property {number} processes - live processes in the tree
 * @property {number} rssKiB - summed VmRSS (double-counts pages shared between processes)
 * @property {number} pssKiB - summed proportional set size (shared pages split between sharers)
 * @property {number} cpuTicks - user+system ticks of live processes plus reaped children
 * @property {number} at - sample time, ms (performance clock)
 */

function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "latin1");
    // comm may contain spaces and parentheses: split after the last ')'.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

function readKiB(path, key) {
  try {
    const text = readFileSync(path, "latin1");
    const at = text.indexOf(`${key}:`);
    return at < 0 ? 0 : Number.parseInt(text.slice(at + key.length + 1), 10) || 0;
  } catch {
    return 0;
  }
}

/**
 * Every live descendant of the given roots, the roots included. One scan of /proc.
 *
 * @param {number[]} roots - process ids
 * @returns {number[]}
 */
export function processTree(roots) {
  const children = new Map();
  for (const name of readdirSync("/proc")) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const stat = readStat(pid);
    if (!stat) continue;
    const list = children.get(stat.ppid);
    if (list) list.push(pid);
    else children.set(stat.ppid, [pid]);
  }
  const out = [];
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = /** @type {number} */ (stack.pop());
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const child of children.get(pid) ?? []) stack.push(child);
  }
  return out;
}

/**
 * Memory and CPU of a process tree. CPU counts live processes plus the children the roots
 * already reaped, so short-lived workers (php-fpm ondemand) are not lost.
 *
 * @param {number[]} roots - process ids
 * @param {{ memory?: boolean }} [options] - `memory: false` skips the (slower) smaps read
 * @returns {TreeSample}
 */
export function sampleTree(roots, { memory = true } = {}) {
  const pids = processTree(roots);
  let rssKiB = 0;
  let pssKiB = 0;
  let cpuTicks = 0;
  let processes = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (!stat) continue;
    processes++;
    cpuTicks += stat.ticks + stat.childTicks;
    if (memory) {
      rssKiB += readKiB(`/proc/${pid}/status`, "VmRSS");
      pssKiB += readKiB(`/proc/${pid}/smaps_rollup`, "Pss");
    }
  }
  return { processes, rssKiB, pssKiB, cpuTicks, at: performance.now() };
}

/**
 * Busy and total ticks of the whole machine (all cores) from /proc/stat.
 *
 * @returns {{ busy: number, total: number }}
 */
export function machineTicks() {
  const fields = readFileSync("/proc/stat", "latin1").split("\n", 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU use between two samples, in percent of one core (200 = both cores of a 2-core machine).
 *
 * @param {TreeSample} before
 * @param {TreeSample} after
 */
export function cpuPercent(before, after) {
  const seconds = (after.at - before.at) / 1000;
  if (seconds <= 0) return 0;
  return ((after.cpuTicks - before.cpuTicks) / CLOCK_TICKS / seconds) * 100;
}

/**
 * CPU milliseconds used between two samples.
 *
 * @param {TreeSample} before
 * @param {TreeSample} after
 */
export function cpuMs(before, after) {
  return ((after.cpuTicks - before.cpuTicks) * 1000) / CLOCK_TICKS;
}
