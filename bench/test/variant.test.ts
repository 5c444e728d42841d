// BENCH_VARIANT: another build of the hub measured beside (a) in the same run, as system (x).
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../run.mjs", import.meta.url));
const DIST = fileURLToPath(new URL("../../packages/server/dist", import.meta.url));
// Inside the repository (results/ is ignored by git), so the copy's imports of workspace packages resolve.
const COPY = fileURLToPath(new URL(`../results/variant-test-${process.pid}`, import.meta.url));

describe("BENCH_VARIANT", () => {
  afterAll(() => rmSync(COPY, { recursive: true, force: true }));

  it("runs a copy of the server build as system (x) beside (a), in the same run", () => {
    cpSync(DIST, COPY, { recursive: true });
    const out = join(mkdtempSync(join(tmpdir(), "bench-variant-")), "variant.json");
    const run = spawnSync(process.execPath, [RUN, "--quick", "--systems", "a,x", "--scenarios", "broadcast", "--out", out], {
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, BENCH_VARIANT: COPY },
    });
    expect({ status: run.status, stderr: run.stderr.slice(-2000) }).toEqual({ status: 0, stderr: expect.any(String) });
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.systems.map((s: { key: string }) => s.key)).toEqual(["a", "x"]);
    for (const result of report.results) {
      expect({ system: result.system, status: result.status, missing: result.scenarios.broadcast.missingDeliveries }).toEqual({ system: result.system, status: "ok", missing: 0 });
    }
  });

  it("refuses a folder without a build, saying what to copy", () => {
    const run = spawnSync(process.execPath, [RUN, "--quick", "--systems", "x", "--out", join(tmpdir(), "never.json")], {
      encoding: "utf8",
      timeout: 30_000,
      env: { ...process.env, BENCH_VARIANT: join(tmpdir(), "no-such-build") },
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain(`BENCH_VARIANT: ${join(tmpdir(), "no-such-build", "index.js")} does not exist (copy packages/server/dist there)`);
  });
});
