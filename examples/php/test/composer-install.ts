import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Vitest global setup: `composer install` in examples/php, once, before any suite starts PHP. It
 * installs the realtime-bookings package from ../../php (a path repository, symlinked) and writes
 * vendor/autoload.php; with COMPOSER_DISABLE_NETWORK=1, so a fresh clone needs no network. Without
 * composer the suites skip themselves (hasPhpWithRedis), or fail in CI.
 */
export default function setup(): void {
  if (spawnSync("sh", ["-c", "command -v composer"]).status !== 0) return;
  const run = spawnSync("composer", ["install", "--no-interaction", "--no-progress"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, COMPOSER_DISABLE_NETWORK: "1", COMPOSER_ALLOW_SUPERUSER: "1", COMPOSER_NO_AUDIT: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`composer install failed in examples/php (exit ${run.status}):\n${run.stdout}${run.stderr}`);
}
