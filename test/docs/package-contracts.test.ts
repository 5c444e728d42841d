// What `npm publish` would ship, checked the way a registry user meets it: publint in strict mode,
// arethetypeswrong on every resolution profile (node10, node16 from CJS and ESM, bundler), and the
// tarball's file list and metadata.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PUBLISHED, root, runNode } from "./support/run.js";

const REPOSITORY = "https://github.com/realtime-bookings/realtime-bookings";

describe.each(PUBLISHED)("the published package @realtime-bookings/%s", (name) => {
  const dir = `${root}packages/${name}`;
  const manifest = JSON.parse(readFileSync(`${dir}/package.json`, "utf8")) as Record<string, unknown>;

  it("passes publint --strict (exports, files, types as packed)", () => {
    const r = runNode([`${root}node_modules/publint/src/cli.js`, "--strict"], dir);
    expect({ status: r.status, allGood: r.output.includes("All good!") }).toEqual({ status: 0, allGood: true });
  });

  it("resolves types and code on every arethetypeswrong profile, node10 included", () => {
    const r = runNode([`${root}node_modules/@arethetypeswrong/cli/dist/index.js`, "--pack", ".", "--format", "json"], dir);
    const report = JSON.parse(r.output.slice(r.output.indexOf("{"))) as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
    expect(r.status).toBe(0);
  });

  it("ships its LICENSE, README and build, and nothing of its sources or tests", () => {
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: dir, encoding: "utf8" });
    const files = (JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"]));
    expect(files.filter((f) => /^(src|test)\//.test(f))).toEqual([]);
    expect(readFileSync(`${dir}/LICENSE`, "utf8")).toContain("MIT License");
  });

  it("names its repository folder, homepage, issue tracker and license", () => {
    expect({ repository: manifest.repository, homepage: manifest.homepage, bugs: manifest.bugs, license: manifest.license }).toEqual({
      repository: { type: "git", url: `git+${REPOSITORY}.git`, directory: `packages/${name}` },
      homepage: `${REPOSITORY}/tree/main/packages/${name}#readme`,
      bugs: { url: `${REPOSITORY}/issues` },
      license: "MIT",
    });
  });

  it("has a README whose links still work on the registry page (absolute, no ../)", () => {
    const readme = readFileSync(`${dir}/README.md`, "utf8");
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "").filter((href) => !/^(https?:|mailto:|#)/.test(href));
    expect(relative).toEqual([]);
  });
});

describe("the repository's own package check", () => {
  it("`npm run lint:packages` runs publint --strict and attw on every profile", () => {
    for (const name of PUBLISHED) {
      const scripts = (JSON.parse(readFileSync(`${root}packages/${name}/package.json`, "utf8")) as { scripts: Record<string, string> }).scripts;
      expect(scripts["lint:package"]).toBe("publint --strict && attw --pack .");
    }
  });
});
