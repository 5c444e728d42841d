// Shared by the bench's Node servers: scope from the query (insecure by design: bench only),
// the /__bench routes (publish a batch, GC + memory), and listening with the bench's backlog.
import { createServer } from "node:http";

/** Heartbeat interval every system under test is configured with. */
export const HEARTBEAT_MS = Number(process.env["HEARTBEAT_MS"] ?? 15_000);
/** Listen backlog every system under test gets (the kernel caps it at net.core.somaxconn). */
export const BACKLOG = 4096;

/**
 * The viewer a bench connection claims in its query: `?role=admin`, `?specialist=3`, `?workpoint=1`.
 *
 * @param {URL} url
 * @returns {{ role: "admin" } | { role: "specialist", specialist_id: number } | { role: "supervisor", workpoint_id: number } | null}
 */
export function viewerFromQuery(url) {
  const q = url.searchParams;
  if (q.get("role") === "admin") return { role: "admin" };
  if (q.has("specialist")) return { role: "specialist", specialist_id: Number(q.get("specialist")) };
  if (q.has("workpoint")) return { role: "supervisor", workpoint_id: Number(q.get("workpoint")) };
  return null;
}

/**
 * The room/channel key of a viewer: `admin`, `sp:<id>` or `wp:<id>`.
 *
 * @param {NonNullable<ReturnType<typeof viewerFromQuery>>} viewer
 */
export function scopeKey(viewer) {
  if (viewer.role === "admin") return "admin";
  if (viewer.role === "specialist") return `sp:${viewer.specialist_id}`;
  return `wp:${viewer.workpoint_id}`;
}

/**
 * The keys an event must reach: admins, its specialist, its workpoint.
 *
 * @param {{ data: { specialist_id: number, workpoint_id: number } }} event
 */
export function eventKeys(event) {
  return ["admin", `sp:${event.data.specialist_id}`, `wp:${event.data.workpoint_id}`];
}

/** @param {import("node:http").IncomingMessage} req */
async function readBody(req) {
  let body = "";
  req.setEncoding("utf8");
  for await (const chunk of req) body += chunk;
  return body;
}

/**
 * Handles `/__bench/*`: `POST /__bench/publish` with `{"events":[…]}` and `GET /__bench/gc`.
 * Returns false for any other path.
 *
 * @param {import("node:http").IncomingMessage} req
 * @param {import("node:http").ServerResponse} res
 * @param {(events: any[]) => Promise<{ failed: number, error?: string } | void> | void} publish
 */
export function benchRoutes(req, res, publish) {
  const path = (req.url ?? "").split("?")[0];
  if (path === "/__bench/publish" && req.method === "POST") {
    readBody(req)
      .then(async (body) => {
        const outcome = (await publish(JSON.parse(body).events)) ?? { failed: 0 };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: outcome.failed === 0, ...outcome }));
      })
      .catch((error) => res.writeHead(500).end(String(error?.stack ?? error)));
    return true;
  }
  if (path === "/__bench/gc") {
    const g = /** @type {any} */ (globalThis).gc;
    if (g) {
      g();
      g();
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ gc: Boolean(g), ...process.memoryUsage() }));
    return true;
  }
  return false;
}

/**
 * Starts an http server on 127.0.0.1:$PORT and prints `READY <port>` once it listens.
 *
 * @param {import("node:http").RequestListener} handler
 * @returns {Promise<import("node:http").Server>}
 */
export function listen(handler) {
  const server = createServer(handler);
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  server.requestTimeout = 0; // SSE requests last as long as the stream
  server.maxConnections = 1_000_000;
  const port = Number(process.env["PORT"]);
  return new Promise((resolve) => {
    server.listen(port, "127.0.0.1", BACKLOG, () => {
      console.log(`READY ${port}`);
      resolve(server);
    });
  });
}

process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
