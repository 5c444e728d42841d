// Runs `node bench/run.mjs --quick` as a child process so the harness cannot rot: every system
// (whose binaries are present) must produce every scenario, and our hub must lose nothing in burst.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../run.mjs", import.meta.url));
const SCENARIOS = ["idle", "broadcast", "filtered", "burst", "reconnect"];
const SYSTEMS = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];

interface Result {
  system: string;
  status: string;
  error?: string;
  scenarios: Record<string, Record<string, unknown>>;
}

describe("npm run bench -- --quick", () => {
  it("measures every scenario on every system, with nothing lost in burst for our hub", () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-quick-")), "quick.json");
    const started = Date.now();
    const run = spawnSync(process.execPath, [RUN, "--quick", "--out", out], { encoding: "utf8", timeout: 170_000 });
    const seconds = (Date.now() - started) / 1000;
    expect({ status: run.status, stderr: run.stderr.slice(-3000) }).toEqual({ status: 0, stderr: expect.any(String) });
    const report = JSON.parse(readFileSync(out, "utf8")) as { results: Result[] };
    const ran = report.results.filter((r) => r.status !== "skipped");
    // Outside CI a system may be skipped loudly when its binary is missing; in CI it fails the run.
    expect(ran.map((r) => r.system).sort()).toEqual(process.env["CI"] === "true" ? SYSTEMS : ran.map((r) => r.system).sort());
    for (const key of ["a", "b", "c", "h", "i", "j"]) expect(ran.some((r) => r.system === key)).toBe(true);
    for (const result of ran) {
      expect({ system: result.system, status: result.status, error: result.error }).toEqual({ system: result.system, status: "ok", error: undefined });
      expect({ system: result.system, scenarios: Object.keys(result.scenarios).sort() }).toEqual({ system: result.system, scenarios: [...SCENARIOS].sort() });
    }
    for (const key of ["a", "b", "c", "i", "j"]) {
      const burst = ran.find((r) => r.system === key)?.scenarios["burst"];
      expect({ system: key, lost: burst?.["lostDeliveries"] }).toEqual({ system: key, lost: 0 });
      const storm = ran.find((r) => r.system === key)?.scenarios["reconnect"];
      expect({ system: key, resumedAll: storm?.["resumed"] === storm?.["connections"] }).toEqual({ system: key, resumedAll: true });
    }
    // --quick takes under 60 s on an idle 2-core machine; alongside other suites it may take longer.
    console.log(`bench --quick: ${seconds.toFixed(1)} s`);
  });
});
