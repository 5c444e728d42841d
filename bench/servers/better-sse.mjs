// (e) better-sse: one channel per scope, sessions registered by the viewer's query. In memory (better-sse
// has no broker of its own); publishing goes through /__bench/publish.
import { createChannel, createSession } from "better-sse";
import { HEARTBEAT_MS, benchRoutes, eventKeys, listen, scopeKey, viewerFromQuery } from "./common.mjs";

/** @type {Map<string, ReturnType<typeof createChannel>>} */
const channels = new Map();
const channel = (/** @type {string} */ key) => {
  let c = channels.get(key);
  if (!c) channels.set(key, (c = createChannel()));
  return c;
};

await listen(async (req, res) => {
  if (benchRoutes(req, res, publish)) return;
  const viewer = viewerFromQuery(new URL(req.url ?? "/", "http://x"));
  if (!viewer) return void res.writeHead(401).end();
  const session = await createSession(req, res, { keepAlive: HEARTBEAT_MS, retry: 2000 });
  channel(scopeKey(viewer)).register(session);
});

/** @param {any[]} events */
function publish(events) {
  for (const event of events) {
    for (const key of eventKeys(event)) channels.get(key)?.broadcast(event, "booking", { eventId: String(event.data.seq) });
  }
}
