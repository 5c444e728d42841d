import { SignJWT } from "jose";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BookingHub, type JwtAuthenticatorOptions, createBookingHub, jwtAuthenticator, memoryBroker } from "../../../src/index.js";

/** A secret of the right size for HS256. */
export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/** A hub on a real node:http server that verifies tokens with jwtAuthenticator, as the README wires it. */
export interface JwtHub {
  readonly hub: BookingHub;
  /** The URL of `/events`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts a {@link JwtHub}; `maxConnectionsPerViewer` defaults to 2 so caps are quick to reach. */
export async function startJwtHub(auth: Partial<JwtAuthenticatorOptions> = {}, maxConnectionsPerViewer = 2, allowQueryToken = false): Promise<JwtHub> {
  const authenticator = jwtAuthenticator({ secret: SECRET, ...auth });
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: authenticator.authenticate, maxConnectionsPerViewer, allowQueryToken, logger: { warn() {}, error() {} } });
  const server: Server = createServer((req, res) => void hub.events.node(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    hub,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Signs claims (HS256 with {@link SECRET}) with `exp` five minutes ahead unless the claims say otherwise. */
export const signClaims = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
  new SignJWT({ exp: Math.floor(Date.now() / 1000) + 300, ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...header } as { alg: string })
    .sign(new TextEncoder().encode(SECRET));
