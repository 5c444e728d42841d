import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type EventsHandler, STREAM_SOCKETS } from "../../src/endpoints/events-endpoint.js";
import { type BookingHub, type BookingHubOptions, type Broker, type Viewer, createBookingHub } from "../../src/index.js";

/** A hub mounted on a real node:http server, as the README shows. */
export interface HubServer {
  readonly hub: BookingHub;
  readonly url: string;
  /** The node:http server the hub is mounted on. */
  readonly server: Server;
  /** The URL of the stream for a viewer given as `as` (test-only authentication). */
  streamUrl(as: string, query?: string): string;
  versionUrl(as: string): string;
  close(): Promise<void>;
}

/**
 * Test-only authentication: the viewer is named in the `as` query parameter:
 * `admin`, `sup-<workpoint>`, `spec-<specialist>`; anything else is anonymous.
 */
export function viewerFromQuery(url: URL): Viewer | null {
  const as = url.searchParams.get("as") ?? "";
  if (as === "admin") return { role: "admin" };
  if (as.startsWith("sup-")) return { role: "supervisor", workpoint_id: as.slice(4) };
  if (as.startsWith("spec-")) return { role: "specialist", specialist_id: as.slice(5) };
  return null;
}

/**
 * @param mount - `takeSockets`: streams go through the standalone server's path, which takes each
 *   stream's socket from node:http once started (the server owns every socket); `middleware`: the
 *   app's own code, run on every request before the hub's handlers (it may wrap `res.write`, listen for
 *   `finish`)
 */
export async function startHubServer(
  broker: Broker,
  options: Partial<BookingHubOptions> = {},
  mount: { takeSockets?: boolean; middleware?: (req: IncomingMessage, res: ServerResponse) => void } = {},
): Promise<HubServer> {
  const hub = createBookingHub({ broker, authenticate: (request) => viewerFromQuery(request.url), ...options });
  const streams = mount.takeSockets ? (hub.events as EventsHandler)[STREAM_SOCKETS] : undefined;
  const server: Server = createServer((req, res) => {
    mount.middleware?.(req, res);
    if (req.url?.startsWith("/events") && streams) return void streams.node(req, res, new URL(req.url, "http://localhost"));
    if (req.url?.startsWith("/events")) return void hub.events.node(req, res);
    if (req.url?.startsWith("/version")) return void hub.version.node(req, res);
    if (req.url?.startsWith("/publish")) return void hub.publisher.node(req, res);
    if (req.url?.startsWith("/ticket")) return void hub.ticket.node(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    url,
    server,
    streamUrl: (as, query = "") => `${url}/events?as=${as}${query}`,
    versionUrl: (as) => `${url}/version?as=${as}`,
    async close() {
      await hub.close();
      server.closeAllConnections();
      streams?.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
