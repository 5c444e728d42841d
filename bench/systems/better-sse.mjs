// (e) better-sse with one channel per scope, in one process, in memory.
import { queryPath, startNodeServer } from "./node-server.mjs";

/** @type {import("./types.mjs").SystemDefinition} */
export const betterSse = {
  key: "e",
  name: "better-sse",
  label: "better-sse channels",
  ours: false,
  binaries: [],
  async start({ heartbeatMs }) {
    const server = await startNodeServer("better-sse.mjs", { HEARTBEAT_MS: String(heartbeatMs) });
    return {
      target: { kind: "sse", ports: [server.port], path: (scope) => queryPath(scope) },
      publish: async (events) => void (await server.publish(events)),
      pids: () => [server.pid],
      gc: async () => [await server.gc()],
      resume: false,
      maxConnections: undefined,
      notes: ["In memory (better-sse has no broker); no replay of missed events."],
      stop: server.stop,
    };
  },
};
