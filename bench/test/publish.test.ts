// Runs the opt-in `publish` scenario at a tiny size so it cannot rot: over HTTP (with and without an
// Idempotency-Key) and through the Redis script, every publish stored and delivered, in one run.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../run.mjs", import.meta.url));

describe("npm run bench -- --scenarios publish", () => {
  it("measures publishes per second over POST /publish and through the Redis script, with nothing failed or lost", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-publish-")), "publish.json");
    const run = spawnSync(process.execPath, [RUN, "--quick", "--systems", "b", "--scenarios", "publish", "--n", "4", "--out", out], { encoding: "utf8", timeout: 120_000 });
    expect({ status: run.status, stderr: run.stderr.slice(-3000) }).toEqual({ status: 0, stderr: expect.any(String) });
    const report = JSON.parse(readFileSync(out, "utf8")) as { results: Array<{ system: string; status: string; scenarios: Record<string, Record<string, any>> }> };
    const publish = report.results.find((r) => r.system === "b")?.scenarios["publish"] ?? {};
    const paths = ["redisScript", "http", "httpIdempotent"].map((name) => {
      const p = publish[name] ?? {};
      return { name, failed: p.failed, measured: typeof p.publishesPerSec === "number" && p.publishesPerSec > 0, delivered: p.deliveries === p.expectedDeliveries };
    });
    expect({ paths, ratio: typeof publish["httpOverScript"] }).toEqual({
      paths: ["redisScript", "http", "httpIdempotent"].map((name) => ({ name, failed: 0, measured: true, delivered: true })),
      ratio: "number",
    });
  });
});
