// (d) Socket.IO with @socket.io/redis-adapter, a room per scope, driven by socket.io-client.
import { queryObject, startNodeServer } from "./node-server.mjs";

/** @type {import("./types.mjs").SystemDefinition} */
export const socketIo = {
  key: "d",
  name: "socket.io",
  label: "Socket.IO + redis-adapter",
  ours: false,
  binaries: ["redis-server"],
  async start({ redis, heartbeatMs }) {
    const server = await startNodeServer("socketio.mjs", { HEARTBEAT_MS: String(heartbeatMs), REDIS_URL: redis.url });
    return {
      target: { kind: "socketio", ports: [server.port], path: () => "/socket.io/", query: queryObject },
      publish: async (events) => void (await server.publish(events)),
      pids: () => [server.pid],
      gc: async () => [await server.gc()],
      resume: false,
      maxConnections: undefined,
      notes: [
        "WebSocket transport only (no long-polling upgrade); socket.io-client in the workers.",
        "No replay: connection state recovery is not supported by the Redis pub/sub adapter.",
      ],
      stop: server.stop,
    };
  },
};
