import { type BookingEvent, type BookingHub, type Broker, HubError, createBookingHub } from "@realtime-bookings/server";
import { readFile } from "node:fs/promises";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fromThisSite, mayPublish } from "./guard.js";
import { SDK_BUNDLE, page } from "./page.js";
import { COOKIE, Sessions, viewerFromForm } from "./sessions.js";

/** The example app: the hub on bare node:http. */
export interface ExampleApp {
  readonly server: Server;
  readonly hub: BookingHub;
  /** Listens; resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  let body = "";
  for await (const chunk of req as AsyncIterable<Buffer>) {
    body += chunk.toString("utf8");
    if (body.length > limit) throw new Error("body too large");
  }
  return body;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  return (req.headers.cookie ?? "").split(";").map((part) => part.trim().split("=")).find(([key]) => key === name)?.[1];
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
};

/**
 * The booking hub mounted on `node:http` with no framework: the stream and version endpoints under
 * the app's own cookie session, and a write path that publishes.
 */
export function createApp(options: { broker?: Broker } = {}): ExampleApp {
  const sessions = new Sessions();
  const hub = createBookingHub({
    ...(options.broker ? { broker: options.broker } : {}),
    // The hub asks the app who is calling; no session, no stream (401).
    authenticate: (request) => sessions.viewer(request.cookie(COOKIE)),
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    const viewer = sessions.viewer(cookie(req, COOKIE));
    const fromOwnSite = fromThisSite((name) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    });
    if (req.method === "GET" && pathname === "/events") return hub.events.node(req, res);
    if (req.method === "GET" && pathname === "/version") return hub.version.node(req, res);
    if (req.method === "GET" && pathname === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(page("node:http", viewer));
      return;
    }
    if (req.method === "GET" && pathname === "/realtime-bookings.js") {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8" }).end(await readFile(SDK_BUNDLE));
      return;
    }
    if (req.method === "POST" && pathname === "/login") {
      if (!fromOwnSite) return json(res, 403, { error: "cross_site", message: "Sign in from this site's own page." });
      const signedIn = viewerFromForm(new URLSearchParams(await readBody(req)).get("as"));
      if (!signedIn) return json(res, 400, { error: "invalid_viewer" });
      res.writeHead(303, { Location: "/", "Set-Cookie": sessions.create(signedIn) }).end();
      return;
    }
    if (req.method === "POST" && pathname === "/bookings") {
      // Your app's write path: check the user may make this change, save the booking, then publish.
      // (A JSON content type cannot be sent cross-site without a CORS preflight, which this app never
      // grants; the origin check refuses what a browser sends from another site anyway.)
      if (!viewer) return json(res, 401, { error: "unauthenticated" });
      if (!fromOwnSite) return json(res, 403, { error: "cross_site", message: "Publish from this site's own page." });
      if (!req.headers["content-type"]?.startsWith("application/json")) return json(res, 415, { error: "send application/json" });
      try {
        const event: unknown = JSON.parse(await readBody(req));
        if (!mayPublish(viewer, event)) return json(res, 403, { error: "forbidden", message: "You may only publish changes of bookings you may change." });
        const { id } = await hub.publish(event as BookingEvent);
        return json(res, 202, { id });
      } catch (error) {
        const invalid = error instanceof SyntaxError || (error instanceof HubError && error.code === "invalid_event");
        return json(res, invalid ? 400 : 503, { error: invalid ? "invalid_event" : "unavailable", message: (error as Error).message });
      }
    }
    json(res, 404, { error: "not_found" });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      console.error(error);
      if (!res.headersSent) json(res, 500, { error: "internal_error" });
      else res.destroy();
    });
  });

  return {
    server,
    hub,
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        server.once("error", reject).listen(port, host, () => resolve(`http://${host}:${(server.address() as AddressInfo).port}`));
      }),
    async close() {
      await hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
