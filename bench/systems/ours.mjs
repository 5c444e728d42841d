// (a)–(c) This project's hub: on the in-memory broker, on Redis, and as two processes on Redis.
import { queryPath, startNodeServer } from "./node-server.mjs";

/**
 * @param {{ key: string, name: string, label: string, broker: "memory" | "redis", processes: number }} options
 * @returns {import("./types.mjs").SystemDefinition}
 */
function ours({ key, name, label, broker, processes }) {
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
          servers.push(await startNodeServer("ours.mjs", { HEARTBEAT_MS: String(heartbeatMs), BROKER: broker, REDIS_URL: redis.url }));
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
