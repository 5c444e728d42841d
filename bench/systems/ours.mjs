// (a)–(c) This project's hub: on the in-memory broker, on Redis, and as two processes on Redis; and
// (x), only when BENCH_VARIANT is set, another build of it on the in-memory broker, to measure a change
// beside (a) in the same run.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { queryPath, startNodeServer } from "./node-server.mjs";

/**
 * @param {{ key: string, name: string, label: string, broker: "memory" | "redis", processes: number, hubModule?: string }} options
 * @returns {import("./types.mjs").SystemDefinition}
 */
function ours({ key, name, label, broker, processes, hubModule }) {
  return {
    key,
    name,
    label,
    ours: true,
    binaries: broker === "redis" ? ["redis-server"] : [],
    socketProcesses: processes,
    async start({ redis, heartbeatMs }) {
      const servers = [];
      try {
        for (let i = 0; i < processes; i++) {
          servers.push(
            await startNodeServer("ours.mjs", { HEARTBEAT_MS: String(heartbeatMs), BROKER: broker, REDIS_URL: redis.url, ...(hubModule ? { HUB_MODULE: hubModule } : {}) }),
          );
        }
      } catch (error) {
        await Promise.all(servers.map((s) => s.stop()));
        throw error;
      }
      const first = /** @type {(typeof servers)[number]} */ (servers[0]);
      return {
        target: { kind: "sse", ports: servers.map((s) => s.port), path: (scope) => queryPath(scope) },
        publish: async (events) => void (await first.publish(events)),
        publishHttpPort: broker === "redis" ? first.port : undefined,
        pids: () => servers.map((s) => s.pid),
        gc: () => Promise.all(servers.map((s) => s.gc())),
        resume: true,
        maxConnections: undefined,
        notes:
          processes > 1
            ? ["Connections alternate between the two processes; events are published through the first and reach the second over Redis."]
            : broker === "redis"
              ? ["Publishes through hub.publish (the atomic script: history + versions + PUBLISH) and receives over the Redis subscription."]
              : ["In-memory broker: one process, no Redis."],
        stop: async () => {
          await Promise.all(servers.map((s) => s.stop()));
        },
      };
    },
  };
}

/** (a) this hub on the in-memory broker */
export const oursMemory = ours({ key: "a", name: "ours-memory", label: "this hub, in-memory broker", broker: "memory", processes: 1 });
/** (b) this hub on Redis */
export const oursRedis = ours({ key: "b", name: "ours-redis", label: "this hub on Redis", broker: "redis", processes: 1 });
/** (c) two hub processes on Redis */
export const oursRedis2 = ours({ key: "c", name: "ours-redis-x2", label: "this hub ×2 processes on Redis", broker: "redis", processes: 2 });

/**
 * (x) another build of this hub on the in-memory broker, beside (a): `BENCH_VARIANT=<folder>` names a
 * copy of packages/server/dist (its `index.js`), kept inside this repository so that its imports of
 * the workspace's packages resolve, e.g. `cp -r packages/server/dist bench/results/variant`. Undefined
 * when BENCH_VARIANT is unset.
 */
export const oursVariant = variant(process.env["BENCH_VARIANT"]);

/** @param {string | undefined} folder */
function variant(folder) {
  if (!folder) return undefined;
  const entry = resolve(folder, "index.js");
  if (!existsSync(entry)) throw new Error(`BENCH_VARIANT: ${entry} does not exist (copy packages/server/dist there)`);
  return ours({ key: "x", name: "ours-variant", label: `this hub, in-memory broker, the build in ${folder}`, broker: "memory", processes: 1, hubModule: pathToFileURL(entry).href });
}
