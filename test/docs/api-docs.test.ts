import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("the API reference", () => {
  it("builds with typedoc without a warning: every export documented, every {@link} resolved", () => {
    const run = spawnSync(process.execPath, ["node_modules/typedoc/bin/typedoc", "--emit", "none"], { cwd: root, encoding: "utf8", timeout: 110_000 });
    const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, "");
    const problems = output.split("\n").filter((line) => /\[(warning|error)\]/.test(line));
    expect(problems).toEqual([]);
    expect(run.status).toBe(0);
  });
});
