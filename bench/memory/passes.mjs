// The passes of stream-heap.mjs: memory (PSS and V8 heap spaces), allocations (sampling heap
// profiler) and heap (two snapshots, grouped), each over a server of its own, figures per stream.
import { join } from "node:path";
import { sampleTree } from "../lib/proc.mjs";
import { groupSizes, holdersOf, pathTo } from "./heap-groups.mjs";
import { readHeapSnapshot } from "./heap-snapshot.mjs";
import { withStreams } from "./with-streams.mjs";

/** @typedef {Omit<Parameters<typeof withStreams>[0], "measure">} PassOptions */

const round = (/** @type {number} */ x, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Memory pass: PSS and the V8 figures, per stream. */
export async function memoryPass(/** @type {PassOptions} */ options) {
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
export async function allocationsPass(/** @type {PassOptions & { top: number }} */ options) {
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
export async function heapPass(/** @type {PassOptions & { dir: string, holders: string[], path: string | undefined }} */ options) {
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
  // Every group is kept (compare.mjs reads them all); stream-heap.mjs prints the first `top`.
  return { total: per(b.total - a.total), groups: groups.filter((g) => g.bytes !== 0 || g.count !== 0), closures: closures.slice(0, 15), holders, path };
}
