import { type BookingHub, type HubLogger, createBookingHub } from "@realtime-bookings/server";
import type { Database } from "better-sqlite3";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SESSION_COOKIE, SessionStore } from "./auth/session.js";
import { UserDirectory, viewerOf } from "./auth/users.js";
import type { AppConfig } from "./config.js";
import { BookingStore } from "./db/bookings.js";
import { openDatabase, publishToken } from "./db/open.js";
import type { SeedSummary } from "./db/seed.js";
import type { Deps } from "./deps.js";
import { createAssetHandler } from "./http/assets.js";
import { BadRequest, cookieOf } from "./http/request.js";
import { sendError } from "./http/respond.js";
import { Router } from "./http/router.js";
import { openBroker } from "./realtime/broker.js";
import { StreamTracker } from "./realtime/streams.js";
import { authRoutes } from "./routes/auth.js";
import { bookingRoutes } from "./routes/bookings.js";
import { pageRoutes } from "./routes/pages.js";
import { realtimeRoutes } from "./routes/realtime.js";

/** A running (or ready to listen) booking demo. */
export interface BookingApp {
  readonly server: Server;
  readonly hub: BookingHub;
  readonly db: Database;
  /** What opening the database seeded, when the file was new. */
  readonly seeded: SeedSummary | undefined;
  /** `in-memory` or the Redis URL (password hidden). */
  readonly brokerDescription: string;
  /** Starts listening; resolves with the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /** Ends every stream, stops the server, closes the hub, Redis and the database. Safe twice. */
  close(): Promise<void>;
}

/** The demo's logger: the hub's `warn`/`error`, plus `info` for startup lines. */
export type AppLogger = HubLogger & { info(message: string): void };

const consoleLogger: AppLogger = { info: (m) => console.log(m), warn: (m, ...d) => console.warn(m, ...d), error: (m, ...d) => console.error(m, ...d) };

/** How often streams whose session ended (expired, signed out on another instance) are closed. */
const SESSION_SWEEP_MS = 60_000;

/**
 * Builds the demo: SQLite (created and seeded on first use), the broker (in-memory, or Redis with
 * `REDIS_URL`), the hub authenticating the page's cookie session, and the routes on node:http.
 */
export async function createBookingApp(config: AppConfig, logger: AppLogger = consoleLogger): Promise<BookingApp> {
  const { db, seeded } = openDatabase(config.databasePath);
  let opened: Awaited<ReturnType<typeof openBroker>>;
  try {
    opened = await openBroker(config, logger);
  } catch (error) {
    db.close();
    throw error;
  }
  const sessions = new SessionStore(db, config.sessionTtlMs);
  const sessionOf: Deps["sessionOf"] = (req) => sessions.read(cookieOf(req, SESSION_COOKIE));
  const hub = createBookingHub({
    broker: opened.broker,
    logger,
    // The stream and version endpoints use the page's own cookie session; no session, 401.
    authenticate: (request) => {
      const session = sessions.read(request.cookie(SESSION_COOKIE));
      return session ? viewerOf(session.user) : null;
    },
  });
  const deps: Deps = {
    config,
    db,
    store: new BookingStore(db),
    users: new UserDirectory(db),
    sessions,
    hub,
    streams: new StreamTracker(),
    switches: { refuseStreams: false },
    publishToken: publishToken(db),
    logger,
    sessionOf,
  };

  const router = new Router();
  authRoutes(router, deps);
  pageRoutes(router, deps);
  bookingRoutes(router, deps);
  realtimeRoutes(router, deps);
  const assets = createAssetHandler();

  const server = createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      return sendError(res, 400, "bad_request", "Malformed URL.");
    }
    if ((req.method === "GET" || req.method === "HEAD") && assets(req, res, url.pathname)) return;
    const found = router.match(req.method ?? "GET", url.pathname);
    if (!found) return sendError(res, 404, "not_found", "No such page.");
    if ("allow" in found) return sendError(res, 405, "method_not_allowed", `Use ${found.allow.join(" or ")}.`, {});
    Promise.resolve()
      .then(() => found.handler({ req, res, url, params: found.params }))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (error instanceof BadRequest) return sendError(res, error.status, "bad_request", error.message);
        logger.error(`[booking-app] ${req.method} ${url.pathname} failed`, error);
        sendError(res, 500, "internal_error", "Something went wrong on the server.");
      });
  });

  const sweep = setInterval(() => {
    for (const key of deps.streams.sessions()) if (!sessions.isActive(key)) deps.streams.endSession(key);
  }, SESSION_SWEEP_MS);
  sweep.unref();

  let closing: Promise<void> | undefined;
  return {
    server,
    hub,
    db,
    seeded,
    brokerDescription: opened.description,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          resolve(`http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`);
        });
      });
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await hub.close();
        server.closeAllConnections();
        await stopped;
        await opened.close();
        db.close();
      })();
      return closing;
    },
  };
}
