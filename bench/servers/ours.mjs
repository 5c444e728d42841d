// (a)–(c) This project's hub, served by node:http. BROKER=memory|redis. Authenticates from the query
// string (insecure by design: bench only). /__bench/publish calls hub.publish for each event; POST
// /publish is the hub's publish endpoint, open to anyone (scenario `publish`).
import { HEARTBEAT_MS, benchRoutes, listen, viewerFromQuery } from "./common.mjs";

// HUB_MODULE: another build of the server package to measure beside this one (system x, see
// systems/ours.mjs); by default the workspace's.
/** @type {typeof import("@realtime-bookings/server")} */
const { createBookingHub, memoryBroker } = await import(process.env["HUB_MODULE"] ?? "@realtime-bookings/server");

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
  // Bench only: anyone on loopback may POST /publish (scenario `publish`).
  authorizePublish: () => true,
});

await listen((req, res) => {
  if (benchRoutes(req, res, publish)) return;
  const { pathname } = new URL(req.url ?? "/", "http://x");
  if (pathname === "/events") return void hub.events.node(req, res);
  if (pathname === "/version") return void hub.version.node(req, res);
  if (pathname === "/publish") return void hub.publisher.node(req, res);
  res.writeHead(404).end();
});

/**
 * Publishes in order with at most this many awaiting the broker at once (ioredis pipelines them).
 * More in flight does not publish faster: each answer waits behind the fan-out of the events before
 * it on this process's event loop, and past `brokerTimeoutMs` (2 s) the hub reports a timeout.
 */
const IN_FLIGHT = 8;

/**
 * @param {any[]} events
 * @returns {Promise<{ failed: number, error?: string }>} publishes the hub refused or timed out (the
 *   rest still go out; a timed-out one may still have been published)
 */
async function publish(events) {
  let next = 0;
  let failed = 0;
  /** @type {string | undefined} */
  let error;
  const lane = async () => {
    while (next < events.length) {
      const event = events[next++];
      await hub.publish(event).catch((e) => {
        failed++;
        error ??= String(e);
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, events.length) }, lane));
  return { failed, error };
}

process.on("SIGTERM", () => {
  hub.close().finally(() => process.exit(0));
});
