#!/usr/bin/env node
// `node bench/report/merge.mjs <into.json> <rerun.json> "<reason>"`: replaces the (system, N) results
// of a full run with those of a later rerun, records the rerun in `meta.reruns`, and rewrites
// docs/benchmarks.md when `into` is results/latest.json. For a round that failed for a reason the
// harness has since fixed; the doc lists every merged round.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeReport } from "./markdown.mjs";

const [into, rerun, reason = "rerun"] = process.argv.slice(2);
if (!into || !rerun) {
  console.error('usage: node bench/report/merge.mjs <into.json> <rerun.json> "<reason>"');
  process.exit(2);
}
const base = JSON.parse(readFileSync(into, "utf8"));
const extra = JSON.parse(readFileSync(rerun, "utf8"));
const replaced = [];
for (const r of extra.results) {
  const at = base.results.findIndex((/** @type {any} */ x) => x.system === r.system && x.n === r.n);
  const tagged = { ...r, rerun: { startedAt: extra.meta.startedAt, command: extra.meta.command, reason } };
  if (at >= 0) base.results[at] = tagged;
  else base.results.push(tagged);
  replaced.push(`${r.system}@${r.n}`);
}
base.meta.reruns = [...(base.meta.reruns ?? []), { startedAt: extra.meta.startedAt, finishedAt: extra.meta.finishedAt, wallSeconds: extra.meta.wallSeconds, command: extra.meta.command, rounds: replaced, reason }];
writeFileSync(into, `${JSON.stringify(base, null, 2)}\n`);
console.log(`merged ${replaced.join(", ")} into ${into}`);
if (into.endsWith("latest.json")) {
  const doc = fileURLToPath(new URL("../../docs/benchmarks.md", import.meta.url));
  writeReport(base, doc);
  console.log(`wrote ${doc}`);
}
