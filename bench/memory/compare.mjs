#!/usr/bin/env node
// `node bench/memory/compare.mjs --before before.json --after after.json [--system i] [--floor h] [--min 10]`
//
// The field-by-field table of docs/benchmarks.md from two stream-heap.mjs outputs: per N, bytes per
// stream of each heap-snapshot group for the system before and after, and for the floor, then the
// totals of the memory pass (V8 heap used, heap pages by space, what lies outside the V8 heap, PSS).
import { readFileSync } from "node:fs";

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {Record<string, string>} */
  const args = {};
  for (let i = 0; i + 1 < argv.length; i += 2) args[String(argv[i]).replace(/^--/, "")] = String(argv[i + 1]);
  return args;
}

const args = parseArgs(process.argv.slice(2));
if (!args["before"] || !args["after"]) throw new Error("usage: compare.mjs --before before.json --after after.json");
const system = args["system"] ?? "i";
const floorKey = args["floor"] ?? "h";
const min = Number(args["min"] ?? 10);
/** @type {any[]} */
const before = JSON.parse(readFileSync(args["before"], "utf8")).results;
/** @type {any[]} */
const after = JSON.parse(readFileSync(args["after"], "utf8")).results;
const find = (/** @type {any[]} */ results, /** @type {string} */ key, /** @type {number} */ n) => results.find((r) => r.system === key && r.n === n);
const counts = [...new Set(after.filter((r) => r.system === system).map((r) => r.n))].sort((a, b) => a - b);
const fmt = (/** @type {number | undefined} */ x) => (x === undefined ? "–" : Math.round(x).toLocaleString("en-US"));

for (const n of counts) {
  const columns = [find(before, system, n), find(after, system, n), find(after, floorKey, n) ?? find(before, floorKey, n)];
  /** @type {(Map<string, { bytes: number, count: number }> | undefined)[]} */
  const maps = columns.map((r) => (r?.heap ? new Map(r.heap.groups.map((/** @type {any} */ g) => [g.group, g])) : undefined));
  const groups = [...new Set(maps.flatMap((m) => (m ? [...m.keys()] : [])))]
    .filter((g) => maps.some((m) => Math.abs(m?.get(g)?.bytes ?? 0) >= min))
    .sort((a, b) => Math.max(...maps.map((m) => m?.get(b)?.bytes ?? 0)) - Math.max(...maps.map((m) => m?.get(a)?.bytes ?? 0)));
  console.log(`\n#### N = ${n.toLocaleString("en-US")}: bytes per stream (count per stream)\n`);
  console.log("| type | before | after | floor |\n| --- | ---: | ---: | ---: |");
  const cell = (/** @type {Map<string, any> | undefined} */ m, /** @type {string} */ g) => {
    const entry = m?.get(g);
    if (!m) return "–";
    if (!entry || Math.abs(entry.bytes) < 0.5) return "0";
    return `${fmt(entry.bytes)}${Math.abs(entry.count) >= 0.5 ? ` (${Math.round(entry.count * 10) / 10})` : ""}`;
  };
  for (const g of groups) console.log(`| ${g} | ${maps.map((m) => cell(m, g)).join(" | ")} |`);
  const shown = maps.map((m) => groups.reduce((sum, g) => sum + (m?.get(g)?.bytes ?? 0), 0));
  console.log(`| everything else | ${columns.map((r, i) => (r?.heap ? fmt(r.heap.total - (shown[i] ?? 0)) : "–")).join(" | ")} |`);
  console.log(`| **snapshot total** (JS heap and the native objects Node reports) | ${columns.map((r) => `**${fmt(r?.heap?.total)}**`).join(" | ")} |`);
  const memoryRows = /** @type {const} */ ([
    ["V8 heap used after GC", (/** @type {any} */ m) => m.heapUsed],
    ["V8 new space (pages in RAM)", (/** @type {any} */ m) => m.heapPhysicalBySpace.new_space],
    ["V8 old space (pages in RAM)", (/** @type {any} */ m) => m.heapPhysicalBySpace.old_space],
    ["V8 code space and large objects", (/** @type {any} */ m) => m.heapPhysicalBySpace.code_space + m.heapPhysicalBySpace.large_object_space + m.heapPhysicalBySpace.code_large_object_space],
    ["outside the V8 heap (malloc: Node's C++ objects, buffers)", (/** @type {any} */ m) => m.outsideHeap],
    ["**PSS**", (/** @type {any} */ m) => m.pss],
  ]);
  for (const [label, pick] of memoryRows) console.log(`| ${label} | ${columns.map((r) => (r?.memory ? fmt(pick(r.memory)) : "–")).join(" | ")} |`);
}
