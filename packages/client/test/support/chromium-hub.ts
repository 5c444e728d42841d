// A real hub (the server package's createBookingHub, in-memory broker) behind node:http over HTTP/1.1,
// serving a test page that loads the built <script> bundles, plus a buffering proxy for the stall test.
import { readFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import { type AddressInfo, type Socket, createServer as createTcpServer, connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

/** The part of @realtime-bookings/server these tests use, loaded at run time like hub-interop.test.ts does. */
interface Hub {
  publish(event: { type: string; data: Record<string, unknown>; origin?: string }): Promise<{ id: string }>;
  events: { node(req: IncomingMessage, res: ServerResponse): unknown };
  version: { node(req: IncomingMessage, res: ServerResponse): unknown };
  stats(): { connections: Record<string, number> };
  close(): Promise<void>;
}
interface ServerModule {
  createBookingHub(options: { authenticate: () => unknown; heartbeatMs?: number; retryMs?: number }): Hub;
}

/** The page: the bundles, one client configured from the query string, and a log the test reads. */
const PAGE = `<!doctype html><meta charset="utf-8"><title>rt</title>
<script src="/realtime-bookings.global.js"></script><script src="/realtime-bookings-share.global.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  window.log = { changes: [], refreshes: 0, statuses: [] };
  window.rt = new RealtimeBookings({
    streamUrl: q.get("stream") || "/api/bookings/events",
    versionUrl: "/api/bookings/version",
    coalesceMs: 50,
    reconnect: { baseMs: 200, maxMs: 2000 },
    shareAcrossTabs: q.get("share") !== "0",
    heartbeatTimeoutMs: q.has("stallMs") ? Number(q.get("stallMs")) : undefined,
    onRefresh: () => { window.log.refreshes++; },
  });
  rt.on("change", (c) => log.changes.push({ id: c.data.id, own: !!c.own }));
  rt.on("change", (c) => (log.changedAt ??= {})[c.data.id] = Date.now());
  rt.on("status", (s) => log.statuses.push({ at: Date.now(), status: s.current, reason: s.reason }));
</script>`;

export interface ChromiumHub {
  readonly origin: string;
  readonly hub: Hub;
  /** Open SSE streams as the hub counts them. */
  streams(): number;
  /** Stream requests the server received so far. */
  readonly streamRequests: number;
  close(): Promise<void>;
}

export async function startChromiumHub(heartbeatMs = 25_000): Promise<ChromiumHub> {
  const { createBookingHub } = (await import("@realtime-bookings/server")) as unknown as ServerModule;
  const hub = createBookingHub({ heartbeatMs, retryMs: 200, authenticate: () => ({ role: "admin" }) });
  let streamRequests = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/api/bookings/events") return void (streamRequests++, hub.events.node(req, res));
    if (path === "/api/bookings/version") return void hub.version.node(req, res);
    if (path === "/page.html") return void res.writeHead(200, { "Content-Type": "text/html", Connection: "close" }).end(PAGE);
    if (path.endsWith(".global.js")) {
      return void res.writeHead(200, { "Content-Type": "text/javascript", Connection: "close" }).end(readFileSync(join(DIST, path.slice(1))));
    }
    res.writeHead(404, { Connection: "close" }).end();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hub,
    streams: () => Object.values(hub.stats().connections).reduce((a, b) => a + b, 0),
    get streamRequests() {
      return streamRequests;
    },
    async close() {
      await hub.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * A proxy that buffers: it forwards the request, passes the response headers (adding
 * `Access-Control-Allow-Origin: *`, as the page is on another origin), and then holds every byte
 * of the body, as a misconfigured buffering proxy does with an event stream.
 */
export async function startBufferingProxy(target: string): Promise<{ origin: string; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  const proxy = createTcpServer((client) => {
    const upstream = connect(Number(port), hostname);
    sockets.add(client).add(upstream);
    let head = "";
    let passed = false;
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      if (passed) return; // held for good
      head += chunk.toString("latin1");
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      passed = true;
      const line = head.indexOf("\r\n");
      client.write(`${head.slice(0, line)}\r\nAccess-Control-Allow-Origin: *${head.slice(line, end)}\r\n\r\n`, "latin1");
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
