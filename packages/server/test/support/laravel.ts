import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { requireBinary } from "@realtime-bookings/test-utils";

const SCRIPT = fileURLToPath(new URL("./laravel-broadcast.php", import.meta.url));

/**
 * Whether `php` with the phpredis extension is there. In CI (`CI=true`) a missing one fails the run
 * with the install command; elsewhere it returns `false` after a loud notice.
 */
export function hasPhpRedis(): boolean {
  if (!requireBinary("php", "apt-get install php-cli php-redis")) return false;
  if (spawnSync("php", ["-r", 'exit(extension_loaded("redis") ? 0 : 1);']).status === 0) return true;
  const message = "php has no redis extension: install it with `apt-get install php-redis`";
  if (process.env["CI"] === "true") throw new Error(`${message} (required in CI)`);
  console.warn(`\n!!! SKIPPING tests that need phpredis. ${message}\n`);
  return false;
}

/** How Laravel's Redis broadcaster sends: one `EVAL` for every channel (recent), one `PUBLISH` each (older), or a raw message. */
export type BroadcastMode = "eval" | "publish" | "raw";

/**
 * Broadcasts as Laravel's `RedisBroadcaster::broadcast()` does, from a real `php` process with
 * phpredis (see laravel-broadcast.php for the source it follows).
 *
 * @param payload - what the event's `broadcastWith()` returns, `socket` included when `toOthers()`;
 *   in `raw` mode, the exact message text
 * @returns the message text published
 */
export function laravelBroadcast(
  port: number,
  mode: BroadcastMode,
  prefix: string,
  channels: readonly string[],
  event: string,
  payload: Record<string, unknown> | string,
): Promise<string> {
  const payloadText = typeof payload === "string" ? payload : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    execFile("php", [SCRIPT, String(port), mode, prefix, JSON.stringify(channels), event, payloadText], { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`php laravel-broadcast.php failed: ${error.message}; ${stderr}`));
      else resolve(stdout);
    });
  });
}
