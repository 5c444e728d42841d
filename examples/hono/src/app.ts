import { type BookingEvent, type BookingHub, type Broker, HubError, createBookingHub } from "@realtime-bookings/server";
import { type ServerType, serve } from "@hono/node-server";
import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { fromThisSite, mayPublish } from "./guard.js";
import { SDK_BUNDLE, page } from "./page.js";
import { COOKIE, Sessions, viewerFromForm } from "./sessions.js";

/** The example app: the hub's Web-standard handlers in Hono 4. */
export interface ExampleApp {
  /** The Hono app: `app.fetch` is a `(Request) => Response` handler (Node, Bun, Deno, Workers). */
  readonly app: Hono;
  readonly hub: BookingHub;
  /** Serves it on Node with @hono/node-server; resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The booking hub in a Hono app: `hub.events.fetch` and `hub.version.fetch` take the Web `Request`
 * (`c.req.raw`) and return the `Response` (a streaming body for SSE), so the same routes run on any
 * runtime Hono runs on.
 */
export function createApp(options: { broker?: Broker } = {}): ExampleApp {
  const sessions = new Sessions();
  const hub = createBookingHub({
    ...(options.broker ? { broker: options.broker } : {}),
    authenticate: (request) => sessions.viewer(request.cookie(COOKIE)),
  });
  const app = new Hono();

  app.get("/events", (c) => hub.events.fetch(c.req.raw));
  app.get("/version", (c) => hub.version.fetch(c.req.raw));

  app.get("/", (c) => c.html(page("Hono", sessions.viewer(getCookie(c, COOKIE)))));
  app.get("/realtime-bookings.js", async (c) => c.body(await readFile(SDK_BUNDLE, "utf8"), 200, { "Content-Type": "text/javascript; charset=utf-8" }));

  // A sign-in posted from another site is refused (login CSRF), like every POST here. (Hono's own
  // csrf() middleware is stricter: it also refuses clients that send no Origin, such as curl.)
  app.post("/login", async (c) => {
    if (!fromThisSite((name) => c.req.header(name))) return c.json({ error: "cross_site", message: "Sign in from this site's own page." }, 403);
    const form = await c.req.parseBody();
    const viewer = viewerFromForm(typeof form["as"] === "string" ? form["as"] : null);
    if (!viewer) return c.json({ error: "invalid_viewer" }, 400);
    c.header("Set-Cookie", sessions.create(viewer));
    return c.redirect("/", 303);
  });

  // Your app's write path: check the user may make this change, save the booking, then publish. Only
  // JSON is taken, which a cross-site form cannot send without a CORS preflight this app never grants;
  // the origin check refuses what a browser sends from another site anyway.
  app.post("/bookings", async (c) => {
    const viewer = sessions.viewer(getCookie(c, COOKIE));
    if (!viewer) return c.json({ error: "unauthenticated" }, 401);
    if (!fromThisSite((name) => c.req.header(name))) return c.json({ error: "cross_site", message: "Publish from this site's own page." }, 403);
    if (!c.req.header("content-type")?.startsWith("application/json")) return c.json({ error: "send application/json" }, 415);
    try {
      const event: unknown = await c.req.json();
      if (!mayPublish(viewer, event)) return c.json({ error: "forbidden", message: "You may only publish changes of bookings you may change." }, 403);
      const { id } = await hub.publish(event as BookingEvent);
      return c.json({ id }, 202);
    } catch (error) {
      const invalid = error instanceof SyntaxError || (error instanceof HubError && error.code === "invalid_event");
      return c.json({ error: invalid ? "invalid_event" : "unavailable", message: (error as Error).message }, invalid ? 400 : 503);
    }
  });

  let server: ServerType | undefined;
  return {
    app,
    hub,
    listen: (port, hostname = "127.0.0.1") =>
      new Promise((resolve) => {
        server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => resolve(`http://${hostname}:${info.port}`));
      }),
    async close() {
      await hub.close();
      if (server && "closeAllConnections" in server) server.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
