import { spawnSync } from "node:child_process";

/**
 * Whether an external binary the tests need is on PATH. In CI (`CI=true`) a missing binary fails the
 * run with the install command; elsewhere it returns `false` and prints a loud notice, so the caller
 * can skip the suite visibly.
 *
 * @param name - the binary, e.g. `redis-server`
 * @param install - the command that installs it, e.g. `apt-get install redis-server`
 */
export function requireBinary(name: string, install: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
  if (found) return true;
  const message = `${name} is not on PATH: install it with \`${install}\``;
  if (process.env["CI"] === "true") throw new Error(`${message} (required in CI)`);
  console.warn(`\n!!! SKIPPING tests that need ${name}. ${message}\n`);
  return false;
}
