// (d) Socket.IO with @socket.io/redis-adapter: a room per scope, joined from the handshake query.
// Publishing (through /__bench/publish) emits to the event's rooms; the adapter carries it over Redis
// to every other Socket.IO node.
import { createAdapter } from "@socket.io/redis-adapter";
import { Redis } from "ioredis";
import { Server } from "socket.io";
import { HEARTBEAT_MS, benchRoutes, listen, scopeKey, viewerFromQuery } from "./common.mjs";

const redisUrl = /** @type {string} */ (process.env["REDIS_URL"]);
const pub = new Redis(redisUrl);
const sub = pub.duplicate();
/** @type {Server | undefined} */
let io;

const server = await listen((req, res) => {
  if ((req.url ?? "").startsWith("/socket.io/")) return; // socket.io's own listener answers
  if (benchRoutes(req, res, publish)) return;
  res.writeHead(404).end();
});
io = new Server(server, {
  transports: ["websocket"],
  pingInterval: HEARTBEAT_MS,
  pingTimeout: 20_000,
  serveClient: false,
  adapter: createAdapter(pub, sub),
});
io.on("connection", (socket) => {
  const query = /** @type {Record<string, string>} */ (socket.handshake.query);
  const viewer = viewerFromQuery(new URL(`http://x/?${new URLSearchParams(query)}`));
  if (!viewer) return void socket.disconnect(true);
  socket.join(scopeKey(viewer));
});

/** @param {any[]} events */
function publish(events) {
  for (const event of events) {
    io?.to("admin").to(`sp:${event.data.specialist_id}`).to(`wp:${event.data.workpoint_id}`).emit("booking", event);
  }
}
