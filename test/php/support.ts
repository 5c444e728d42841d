import { freePort, requireBinary } from "@realtime-bookings/test-utils";
import { type SpawnSyncReturns, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Child, startChild } from "../../examples/php/test/support.js";

/** The Composer package, php/. */
export const PACKAGE = fileURLToPath(new URL("../../php/", import.meta.url));
/** The hub CLI, built. */
export const CLI = fileURLToPath(new URL("../../packages/server/dist/cli/main.js", import.meta.url));
/** Where Debian's php-nrk-predis puts Predis's autoloader. */
export const DEBIAN_PREDIS = "/usr/share/php/Predis/autoload.php";

/**
 * Whether everything the PHP suites need is installed: php-cli with the phpredis extension, Predis
 * (Debian's php-nrk-predis), phpunit and composer. Like `requireBinary`: in CI a missing piece fails
 * the run with the install command; elsewhere the suite is skipped loudly.
 */
export function hasPhpToolchain(): boolean {
  const install = "apt-get install php-cli php-redis php-nrk-predis phpunit composer";
  if (!requireBinary("php", install) || !requireBinary("phpunit", install) || !requireBinary("composer", install)) return false;
  const missing: string[] = [];
  if (!/^redis$/m.test(spawnSync("php", ["-m"], { encoding: "utf8" }).stdout ?? "")) missing.push("the phpredis extension (php-redis)");
  if (!existsSync(DEBIAN_PREDIS)) missing.push(`Predis (php-nrk-predis, ${DEBIAN_PREDIS})`);
  if (missing.length === 0) return true;
  const message = `PHP lacks ${missing.join(" and ")}: install it with \`${install}\``;
  if (process.env["CI"] === "true") throw new Error(`${message} (required in CI)`);
  console.warn(`\n!!! SKIPPING the PHP package tests. ${message}\n`);
  return false;
}

/** Runs `php -r <code>` in php/ with the package's autoloader, bounded. */
export function php(code: string, input?: string): SpawnSyncReturns<string> {
  return spawnSync("php", ["-r", `require "autoload.php"; ${code}`], { cwd: PACKAGE, encoding: "utf8", timeout: 20_000, ...(input === undefined ? {} : { input }) });
}

/** Fails with the command that fixes it when the hub CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: build the server first (npx turbo run build, or the root npm test's pretest)`);
}

/**
 * Starts the hub CLI's `serve` on a free loopback port with `args` (its Redis, keys, prefix) and
 * `env` (its secrets), and waits (bounded) until it listens.
 *
 * @returns the process and its base URL (`http://127.0.0.1:<port>`, without the path prefix)
 */
export async function startHub(args: readonly string[], env: Record<string, string>): Promise<{ hub: Child; url: string }> {
  requireBuiltCli();
  const port = await freePort();
  const hub = await startChild(process.execPath, [CLI, "serve", "--host", "127.0.0.1", "--port", String(port), ...args], {
    env,
    ready: (output) => output.includes("listening on"),
  });
  return { hub, url: `http://127.0.0.1:${port}` };
}
