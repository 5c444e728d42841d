// The close calls decided by interleaved rounds (`npm run bench -- --rounds R`): the medians, which
// rounds run counts, and the targets of issue 16 reading them.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: plain .mjs without declarations
import { renderReport } from "../report/markdown.mjs";
// @ts-expect-error: plain .mjs without declarations
import { loadRounds, median, summarizeRounds } from "../report/rounds.mjs";
// @ts-expect-error: plain .mjs without declarations
import { checkTargets16 } from "../report/targets.mjs";

const SYSTEMS = [
  { key: "a", name: "ours-memory", label: "this hub, in-memory broker", ours: true },
  { key: "g", name: "nchan", label: "nginx + nchan", ours: false },
  { key: "h", name: "floor", label: "floor: bare node:http", ours: false },
];

/** One (system, N) result with a broadcast p99 and an idle CPU figure. */
const result = (system: string, n: number, p99: number, idleCpu: number, round?: number) => ({
  system,
  n,
  status: "ok",
  nReached: n,
  ...(round === undefined ? {} : { round }),
  scenarios: { idle: { serverCpuPercent: idleCpu }, broadcast: { latencyMs: { p99 } } },
});

const report = (startedAt: string, results: unknown[], rounds = 1) => ({
  meta: { startedAt, finishedAt: startedAt, wallSeconds: 60, command: "npm run bench", rounds, machine: { packages: {} }, params: {}, heartbeatMs: 15_000, workers: 2 },
  systems: SYSTEMS,
  results,
});

describe("bench rounds", () => {
  it("takes the median of each figure over the rounds, leaving failed rounds out", () => {
    expect([median([3, 1, 2]), median([4, 1, 3, 2]), median([])]).toEqual([2, 2.5, null]);
    const rounds = report("2026-12-01T12:00:00Z", [
      result("a", 500, 20, 1, 1),
      result("g", 500, 40, 1, 1),
      result("a", 500, 12, 1, 2),
      { system: "g", n: 500, status: "error", round: 2, scenarios: {} },
      result("a", 500, 14, 1, 3),
      result("g", 500, 15, 1, 3),
    ], 3);
    const summary = summarizeRounds(rounds);
    expect(summary.find((e: { system: string }) => e.system === "a")).toMatchObject({ p99s: [20, 12, 14], p99: 14 });
    expect(summary.find((e: { system: string }) => e.system === "g")).toMatchObject({ p99s: [40, 15], p99: 27.5 });
  });

  it("decides broadcast p99 and idle CPU by the medians of a later rounds run, not the full run's single round", () => {
    const full = report("2026-12-01T10:00:00Z", [result("a", 500, 30, 1), result("g", 500, 20, 1), result("a", 10_000, 2.5, 2.5), result("h", 10_000, 9, 2)]);
    const single = checkTargets16(full).map((c: { ok: boolean | null; text: string }) => c);
    expect(single.find((c: { text: string }) => c.text.startsWith("N=500: broadcast p99"))?.ok).toBe(false);
    expect(single.find((c: { text: string }) => c.text.startsWith("N=10,000: idle CPU"))?.ok).toBe(false);

    const rounds = report("2026-12-01T11:00:00Z", [
      ...[1, 2, 3].flatMap((k) => [result("a", 500, [18, 14, 16][k - 1] as number, 1, k), result("g", 500, [15, 35, 19][k - 1] as number, 1, k)]),
      ...[1, 2, 3].flatMap((k) => [result("a", 10_000, 100, [2.4, 2.43, 2.2][k - 1] as number, k), result("h", 10_000, 100, [2.93, 2.5, 2.43][k - 1] as number, k)]),
    ], 3);
    const decided = checkTargets16(full, rounds);
    const p99 = decided.find((c: { text: string }) => c.text.startsWith("N=500: broadcast p99"));
    expect(p99).toMatchObject({ ok: true });
    expect(p99.text).toContain("16 ms (median of 3 interleaved rounds: 18, 14, 16) vs nchan 19 ms");
    const idle = decided.find((c: { text: string }) => c.text.startsWith("N=10,000: idle CPU"));
    expect(idle).toMatchObject({ ok: true });
    expect(idle.text).toContain("2.40 % (median of 3 interleaved rounds: 2.40, 2.43, 2.20) vs floor 2.50 %");
    // Where the rounds did not measure both sides, the full run still decides.
    expect(decided.find((c: { text: string }) => c.text.startsWith("N=2,000: broadcast p99"))?.ok).toBe(null);
    expect(renderReport(full, rounds)).toContain("## The close calls, in interleaved rounds");
  });

  it("ignores a rounds file older than the full run (it measured other code)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-rounds-"));
    const path = join(dir, "rounds.json");
    writeFileSync(path, JSON.stringify(report("2026-12-01T09:00:00Z", [], 3)));
    expect(loadRounds(report("2026-12-01T10:00:00Z", []), path)).toBeUndefined();
    expect(loadRounds(report("2026-12-01T08:00:00Z", []), path)).toMatchObject({ meta: { rounds: 3 } });
    expect(loadRounds(report("2026-12-01T08:00:00Z", []), join(dir, "none.json"))).toBeUndefined();
  });

  it("runs each (system, N) once per round, interleaved, when asked for --rounds", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-rounds-")), "rounds.json");
    const run = fileURLToPath(new URL("../run.mjs", import.meta.url));
    const child = spawnSync(process.execPath, [run, "--quick", "--rounds", "2", "--systems", "a,h", "--scenarios", "broadcast", "--out", out], { encoding: "utf8", timeout: 120_000 });
    expect({ status: child.status, stderr: child.stderr.slice(-2000) }).toEqual({ status: 0, stderr: expect.any(String) });
    const written = JSON.parse(readFileSync(out, "utf8"));
    expect(written.meta.rounds).toBe(2);
    expect(written.results.map((r: { system: string; round: number; status: string }) => `${r.system}${r.round}:${r.status}`)).toEqual(["a1:ok", "h1:ok", "a2:ok", "h2:ok"]);
    const summary = summarizeRounds(written);
    expect(summary.map((e: { system: string; p99s: number[] }) => [e.system, e.p99s.length])).toEqual([["a", 2], ["h", 2]]);
    const bad = spawnSync(process.execPath, [run, "--quick", "--rounds", "0", "--out", out], { encoding: "utf8", timeout: 30_000 });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--rounds must be a whole number ≥ 1, got 0");
  });
});
