import { type BookingHub, type BookingHubOptions, type Broker, jwtAuthenticator } from "../../src/index.js";
import { SECRET } from "../auth/support/jwt-hub.js";
import { startHubServer } from "../support/hub-server.js";

/** A hub verifying real JWTs (jwtAuthenticator), with `/events`, `/version` and `/ticket` on node:http. */
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
  const { hub, url, close } = await startHubServer(broker, { authenticate: auth.authenticate, logger: { warn() {}, error() {} }, ...options });
  return {
    hub,
    url,
    close,
    async mint(token, body) {
      const response = await fetch(`${url}/ticket`, { method: "POST", headers: { Authorization: `Bearer ${token}`, ...(body && { "Content-Type": "application/json" }) }, ...(body && { body }) });
      return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
    },
  };
}
