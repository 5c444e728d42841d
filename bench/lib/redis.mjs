// Starts the bench's own redis-server on a free port (never the machine's shared one on 6379).
import { execFileSync } from "node:child_process";
import { Redis } from "ioredis";
import { drain, spawnTracked, stopChild, waitForLine } from "./children.mjs";
import { freePort } from "./net.mjs";

/**
 * @typedef {object} BenchRedis
 * @property {string} url - `redis://127.0.0.1:<port>`
 * @property {number} port
 * @property {number} pid
 * @property {import("ioredis").Redis} client - a command connection for publishing and FLUSHALL
 * @property {() => Promise<void>} flush - empties every key (between systems)
 * @property {() => Promise<void>} stop
 */

/**
 * Starts redis-server on a free port with persistence off and pub/sub output limits left at
 * Redis's defaults (the production behaviour the field notes describe).
 *
 * @returns {Promise<BenchRedis>}
 */
export async function startRedis() {
  let lastError;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawnTracked("redis-server", [
      "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
      "--protected-mode", "no", "--maxclients", "20000", "--tcp-backlog", "4096", "--loglevel", "warning",
    ]);
    try {
      await waitForLine(child, /Ready to accept connections|ready to accept/i, 10_000).catch(async () => {
        // With --loglevel warning the ready line is not printed: poll with PING instead.
        const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 1 });
        await probe.connect();
        await probe.ping();
        probe.disconnect();
      });
    } catch (error) {
      lastError = error;
      await stopChild(child);
      continue;
    }
    drain(child);
    const client = new Redis({ port, host: "127.0.0.1", maxRetriesPerRequest: 3 });
    client.on("error", () => {});
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: /** @type {number} */ (child.pid),
      client,
      flush: async () => {
        await client.flushall();
      },
      stop: async () => {
        client.disconnect();
        await stopChild(child);
      },
    };
  }
  throw new Error(`could not start redis-server: ${lastError}`);
}

/** The redis-server version, e.g. `7.0.15`, or `null` when it is not installed. */
export function redisVersion() {
  try {
    return execFileSync("redis-server", ["--version"], { encoding: "utf8" }).match(/v=([\d.]+)/)?.[1] ?? null;
  } catch {
    return null;
  }
}
