import { type BookingEvent, type BookingHub, type Broker, HubError, createBookingHub } from "@realtime-bookings/server";
import express, { type Express } from "express";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fromThisSite, mayPublish } from "./guard.js";
import { SDK_BUNDLE, page } from "./page.js";
import { COOKIE, Sessions, viewerFromForm } from "./sessions.js";

/** The example app: the hub in Express 5. */
export interface ExampleApp {
  readonly app: Express;
  readonly hub: BookingHub;
  /** Listens; resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const cookie = (header: string | undefined, name: string): string | undefined =>
  (header ?? "").split(";").map((part) => part.trim().split("=")).find(([key]) => key === name)?.[1];

/**
 * The booking hub in an Express 5 app: `hub.events.node` and `hub.version.node` are mounted as they
 * are (they are `(req, res)` handlers), under the app's cookie session. Keep compression middleware
 * off these two routes: it buffers SSE.
 */
export function createApp(options: { broker?: Broker } = {}): ExampleApp {
  const sessions = new Sessions();
  const hub = createBookingHub({
    ...(options.broker ? { broker: options.broker } : {}),
    authenticate: (request) => sessions.viewer(request.cookie(COOKIE)),
  });
  const app = express();
  app.disable("x-powered-by");

  app.get("/events", hub.events.node);
  app.get("/version", hub.version.node);

  app.get("/", (req, res) => {
    res.type("html").send(page("Express", sessions.viewer(cookie(req.headers.cookie, COOKIE))));
  });
  app.get("/realtime-bookings.js", (_req, res) => res.sendFile(SDK_BUNDLE));

  // A sign-in posted from another site is refused (login CSRF), like every POST here.
  app.post("/login", express.urlencoded({ extended: false, limit: "4kb" }), (req, res) => {
    if (!fromThisSite((name) => req.get(name))) return void res.status(403).json({ error: "cross_site", message: "Sign in from this site's own page." });
    const viewer = viewerFromForm(typeof req.body?.as === "string" ? req.body.as : null);
    if (!viewer) return void res.status(400).json({ error: "invalid_viewer" });
    res.set("Set-Cookie", sessions.create(viewer)).redirect(303, "/");
  });

  // Your app's write path: check the user may make this change, save the booking, then publish.
  // express.json() only parses JSON, which a cross-site form cannot send without a CORS preflight
  // this app never grants; the origin check refuses what a browser sends from another site anyway.
  app.post("/bookings", express.json({ limit: "16kb" }), async (req, res) => {
    const viewer = sessions.viewer(cookie(req.headers.cookie, COOKIE));
    if (!viewer) return void res.status(401).json({ error: "unauthenticated" });
    if (!fromThisSite((name) => req.get(name))) return void res.status(403).json({ error: "cross_site", message: "Publish from this site's own page." });
    if (!req.is("application/json")) return void res.status(415).json({ error: "send application/json" });
    if (!mayPublish(viewer, req.body)) return void res.status(403).json({ error: "forbidden", message: "You may only publish changes of bookings you may change." });
    try {
      const { id } = await hub.publish(req.body as BookingEvent);
      res.status(202).json({ id });
    } catch (error) {
      const invalid = error instanceof HubError && error.code === "invalid_event";
      res.status(invalid ? 400 : 503).json({ error: invalid ? "invalid_event" : "unavailable", message: (error as Error).message });
    }
  });

  let server: Server | undefined;
  return {
    app,
    hub,
    listen: (port, host = "127.0.0.1") =>
      new Promise((resolve, reject) => {
        const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(`http://${host}:${(s.address() as AddressInfo).port}`)));
        server = s;
      }),
    async close() {
      await hub.close();
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
