// `changeset version` on a copy of the workspace's manifests and pending changesets, in a throw-away
// git repository: what a maintainer's `npm run version-packages` would write.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLISHED, root } from "./support/run.js";

const REPOSITORY = "https://github.com/realtime-bookings/realtime-bookings";
const PRIVATE = ["packages/test-utils", "bench", ...readdirSync(`${root}examples`).map((name) => `examples/${name}`)];
const work = mkdtempSync(join(tmpdir(), "rb-changesets-"));
const read = (path: string) => readFileSync(join(work, path), "utf8");
const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=ci@example.invalid", "-c", "user.name=ci", ...args], { cwd: work, encoding: "utf8" });
let commit = "";

beforeAll(() => {
  const files = ["package.json", ...[...PUBLISHED.map((n) => `packages/${n}`), ...PRIVATE].map((dir) => `${dir}/package.json`)];
  for (const file of files) {
    mkdirSync(dirname(join(work, file)), { recursive: true });
    cpSync(join(root, file), join(work, file));
  }
  cpSync(join(root, ".changeset"), join(work, ".changeset"), { recursive: true });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "pending changesets");
  commit = git("rev-parse", "HEAD").trim();
  execFileSync(process.execPath, [join(root, "node_modules/@changesets/cli/bin.js"), "version"], { cwd: work, encoding: "utf8" });
}, 60_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("npm run version-packages (changeset version)", () => {
  it("never versions a private package (examples, bench, test-utils) nor writes it a changelog", () => {
    const versions = PRIVATE.map((dir) => [dir, (JSON.parse(read(`${dir}/package.json`)) as { version?: string }).version, existsSync(join(work, dir, "CHANGELOG.md"))]);
    const before = PRIVATE.map((dir) => [dir, (JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as { version?: string }).version, false]);
    expect(versions).toEqual(before);
  });

  it("bumps the published packages together and keeps the workspace's internal ranges matching", () => {
    const versions = PUBLISHED.map((n) => (JSON.parse(read(`packages/${n}/package.json`)) as { version: string }).version);
    expect(new Set(versions).size).toBe(1);
    expect(versions[0]).not.toBe("0.0.0");
    const app = JSON.parse(read("examples/booking-app/package.json")) as { dependencies: Record<string, string> };
    expect(app.dependencies["@realtime-bookings/server"]).toBe(versions[0]);
  });

  it("links every changelog entry to the commit that added its changeset", () => {
    const link = `[\`${commit.slice(0, 7)}\`](${REPOSITORY}/commit/${commit})`;
    for (const name of PUBLISHED) {
      const entries = read(`packages/${name}/CHANGELOG.md`).split("\n").filter((line) => line.startsWith("- "));
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.filter((entry) => !entry.startsWith(`- ${link} `) && !entry.startsWith(`- Updated dependencies ${link}`))).toEqual([]);
    }
  });
});
