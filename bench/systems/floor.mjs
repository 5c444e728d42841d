// (h) The floor: bare node:http, a Set of responses per query, one pre-built frame written to each.
import { queryPath, startNodeServer } from "./node-server.mjs";

/** @type {import("./types.mjs").SystemDefinition} */
export const floor = {
  key: "h",
  name: "floor",
  label: "floor: bare node:http",
  ours: false,
  binaries: [],
  async start({ heartbeatMs }) {
    const server = await startNodeServer("floor.mjs", { HEARTBEAT_MS: String(heartbeatMs) });
    return {
      target: { kind: "sse", ports: [server.port], path: (scope) => queryPath(scope) },
      publish: async (events) => void (await server.publish(events)),
      pids: () => [server.pid],
      gc: async () => [await server.gc()],
      resume: false,
      maxConnections: undefined,
      notes: ["No auth, no visibility check, no Redis, no replay: responses are kept in one Set per query string."],
      stop: server.stop,
    };
  },
};
