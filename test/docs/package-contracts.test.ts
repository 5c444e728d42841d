import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const run = (args: string[], cwd: string) => {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout: 110_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "") };
};

describe.each(["protocol", "server", "client"])("the published package @realtime-bookings/%s", (name) => {
  const dir = `${root}packages/${name}`;
  it("passes publint (exports, files, types as packed)", () => {
    const r = run([`${root}node_modules/publint/src/cli.js`, "--strict"], dir);
    expect({ status: r.status, allGood: r.output.includes("All good!") }).toEqual({ status: 0, allGood: true });
  });
  it("resolves types and code for node16 (ESM and CJS) and bundlers (arethetypeswrong)", () => {
    const r = run([`${root}node_modules/@arethetypeswrong/cli/dist/index.js`, "--pack", ".", "--profile", "node16", "--format", "json"], dir);
    const report = JSON.parse(r.output.slice(r.output.indexOf("{"))) as { analysis: { problems: Array<{ resolutionKind?: string }> } };
    // The node16 profile ignores node10 (no `exports` support), where subpath entries cannot resolve.
    expect(report.analysis.problems.filter((p) => p.resolutionKind !== "node10")).toEqual([]);
  });
});
