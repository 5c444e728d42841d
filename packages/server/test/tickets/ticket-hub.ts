import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BookingHub, type BookingHubOptions, type Broker, createBookingHub, jwtAuthenticator } from "../../src/index.js";
import { SECRET } from "../auth/support/jwt-hub.js";

/** A hub verifying real JWTs, with `/events`, `/version` and `/ticket` on a real node:http server. */
export interface TicketHub {
  readonly hub: BookingHub;
  readonly url: string;
  /** Asks for a ticket as a browser would: the token in the Authorization header, once. */
  mint(token: string, body?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Starts a {@link TicketHub} on `broker`. */
export async function startTicketHub(broker: Broker, options: Partial<BookingHubOptions> = {}, clockToleranceSec = 5): Promise<TicketHub> {
  const auth = jwtAuthenticator({ secret: SECRET, clockToleranceSec });
  const hub = createBookingHub({ broker, authenticate: auth.authenticate, logger: { warn() {}, error() {} }, ...options });
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/events")) return void hub.events.node(req, res);
    if (req.url?.startsWith("/version")) return void hub.version.node(req, res);
    if (req.url?.startsWith("/ticket")) return void hub.ticket.node(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    url,
    async mint(token, body) {
      const response = await fetch(`${url}/ticket`, { method: "POST", headers: { Authorization: `Bearer ${token}`, ...(body && { "Content-Type": "application/json" }) }, ...(body && { body }) });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    },
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
