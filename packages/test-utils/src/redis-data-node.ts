import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { type RedisProcess, spawnRedisProcess } from "./redis-process.js";

/**
 * Starts one redis-server for a replicated or clustered set: its own `--dir`, no persistence, and
 * `repl-diskless-sync-delay 0` (otherwise a replica waits 5 s for its first sync). Retries a few
 * ports if another process takes the one offered.
 *
 * @param extra - more `--option value` arguments for the chosen port and directory, e.g.
 *   `--replicaof 127.0.0.1 6379`, or `--cluster-port` with a second free port
 * @internal
 */
export async function startDataNode(extra: (port: number, dir: string) => Promise<string[]> | string[]): Promise<RedisProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `rb-node-${port}-`));
    const args = [
      "--port", String(port), "--bind", "127.0.0.1", "--protected-mode", "no",
      "--save", "", "--appendonly", "no", "--dir", dir, "--repl-diskless-sync-delay", "0",
      ...(await extra(port, dir)),
    ];
    try {
      return await spawnRedisProcess("redis-server", args, port, /Ready to accept connections/);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start a redis-server node after 5 attempts: ${String(lastError)}`);
}
