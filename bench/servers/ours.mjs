// (a)–(c) This project's hub, served by node:http. BROKER=memory|redis. Authenticates from the query
// string (insecure by design: bench only). /__bench/publish calls hub.publish for each event.
import { createBookingHub, memoryBroker } from "@realtime-bookings/server";
import { HEARTBEAT_MS, benchRoutes, listen, viewerFromQuery } from "./common.mjs";

const useRedis = process.env["BROKER"] === "redis";
/** @type {import("@realtime-bookings/server").Broker} */
let broker;
if (useRedis) {
  const { ioredisBroker } = await import("@realtime-bookings/server/ioredis");
  const { Redis } = await import("ioredis");
  broker = ioredisBroker(new Redis(/** @type {string} */ (process.env["REDIS_URL"])), { prefix: "bench" });
} else {
  broker = memoryBroker();
}

const hub = createBookingHub({
  broker,
  heartbeatMs: HEARTBEAT_MS,
  authenticate: (request) => viewerFromQuery(request.url),
});

await listen((req, res) => {
  if (benchRoutes(req, res, publish)) return;
  const { pathname } = new URL(req.url ?? "/", "http://x");
  if (pathname === "/events") return void hub.events.node(req, res);
  if (pathname === "/version") return void hub.version.node(req, res);
  res.writeHead(404).end();
});

/** Publishes in order with at most this many awaiting the broker at once (ioredis pipelines them). */
const IN_FLIGHT = 32;

/** @param {any[]} events */
async function publish(events) {
  let next = 0;
  const lane = async () => {
    while (next < events.length) await hub.publish(events[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, events.length) }, lane));
}

process.on("SIGTERM", () => {
  hub.close().finally(() => process.exit(0));
});
