// `npm run release`: build, check what would be published, then publish with changesets, but only
// when a registry token is set (NPM_TOKEN). Without one it stops after the checks, so the whole release
// path can be rehearsed anywhere. Checks: publint --strict and arethetypeswrong on every profile for
// each published package (`lint:package`), and the <script> bundle's size budget (the client's
// bundle test).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1" };
const step = (title, command, args, extraEnv = {}) => {
  console.log(`\n[release] ${title}: ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: "inherit", env: { ...env, ...extraEnv } });
};

step("build", "npx", ["turbo", "run", "build", "--output-logs=errors-only"]);
step("check the packages (publint --strict, attw on every profile)", "npx", ["turbo", "run", "lint:package", "--output-logs=errors-only"]);
step("check the <script> bundle's size budget", "npx", ["vitest", "run", "packages/client/test/bundle.test.ts"]);
step("pending changesets", "npx", ["changeset", "status"]);

const token = process.env.NPM_TOKEN;
if (!token) {
  console.log("\n[release] NPM_TOKEN is not set: built and checked, NOT published. Set NPM_TOKEN to publish.");
  process.exit(0);
}
// The token goes to npm through a throw-away user config, never into the repository's .npmrc.
const dir = mkdtempSync(join(tmpdir(), "rb-release-"));
try {
  const npmrc = join(dir, "npmrc");
  writeFileSync(npmrc, `//registry.npmjs.org/:_authToken=${token}\n`, { mode: 0o600 });
  step("publish", "npx", ["changeset", "publish"], { NPM_CONFIG_USERCONFIG: npmrc });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
