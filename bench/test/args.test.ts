// `npm run bench`'s command line as a stranger types it: --help, typos, and an interrupted run.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RUN = fileURLToPath(new URL("../run.mjs", import.meta.url));
const bench = (...args: string[]) => spawnSync(process.execPath, [RUN, ...args], { encoding: "utf8", timeout: 30_000 });

describe("npm run bench's arguments", () => {
  it("prints the options for --help and -h, and starts nothing", () => {
    for (const flag of ["--help", "-h"]) {
      const run = bench(flag);
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("Usage: npm run bench -- [options]");
      expect(run.stdout).toContain("--rounds 3");
      expect(run.stdout).toContain("g nchan");
      expect(run.stdout).not.toContain("[bench] full run");
    }
  });

  it.each([
    [["--sytems", "a"], "Unknown option '--sytems'"],
    [["--systems", "a,zz"], '--systems: unknown "zz"; known: a, ours-memory'],
    [["--scenarios", "idel"], '--scenarios: unknown "idel"; known: idle, broadcast'],
    [["--n", "500,two"], "--n must be a whole number ≥ 1, got two"],
    [["--workers", "0"], "--workers must be a whole number ≥ 1, got 0"],
    [["--wait-quiet", "soon"], "--wait-quiet must be a number ≥ 0, got soon"],
    [["--quick", "yes"], "Unexpected argument 'yes'"],
  ])("refuses %j before starting anything, saying what was wrong", (args, message) => {
    const run = bench(...args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain("See `npm run bench -- --help` for the options.");
    expect(run.stdout).not.toContain("[bench] full run");
  });

  it("keeps the last finished run's file when a run is interrupted: results in progress go to <out>.part", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-args-")), "results.json");
    writeFileSync(out, '{"finished":"earlier"}\n');
    const child = spawn(process.execPath, [RUN, "--quick", "--systems", "a,h", "--scenarios", "broadcast", "--out", out], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Bounded: the first system's result lands within seconds at N = 20.
    for (let i = 0; i < 600 && !existsSync(`${out}.part`); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGINT");
    await exited;
    expect(JSON.parse(readFileSync(`${out}.part`, "utf8")).results.length).toBeGreaterThanOrEqual(1);
    expect(readFileSync(out, "utf8")).toBe('{"finished":"earlier"}\n');
  }, 90_000);
});
