import type { BookingEvent } from "@realtime-bookings/server";
import type { Deps } from "../deps.js";
import { fromLoopback, readBody } from "../http/request.js";
import { sendError, sendJson } from "../http/respond.js";
import type { Router } from "../http/router.js";
import { sameSecret } from "./guard.js";

/**
 * The hub's endpoints under the page's session, the health check, the local publish route the
 * `npm run book` command uses, and (with `DEMO_TEST_HOOKS=1` only) the switch that refuses SSE.
 */
export function realtimeRoutes(router: Router, deps: Deps): void {
  router.on("GET", "/api/bookings/events", async ({ req, res }) => {
    if (deps.switches.refuseStreams) {
      return sendError(res, 503, "streams_refused", "Real-time streams are switched off (demo test hook); poll the version endpoint.", {});
    }
    const session = deps.sessionOf(req);
    if (session) deps.streams.add(session.key, res);
    // The hub authenticates the same cookie again (401 without a session) and owns the response.
    await deps.hub.events.node(req, res);
  });

  router.on("GET", "/api/bookings/version", ({ req, res }) => deps.hub.version.node(req, res));

  router.on("GET", "/healthz", async ({ res }) => {
    const health = await deps.hub.health();
    sendJson(res, health.ok ? 200 : 503, { ok: health.ok, broker: health.broker, subscribed: health.subscribed, connections: health.connections });
  });

  // `npm run book` writes to the same SQLite file, then asks the running demo to publish. The secret
  // is in that file, so only someone who can write the bookings can publish them.
  router.on("POST", "/internal/publish", async ({ req, res }) => {
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !sameSecret(auth.slice(7), deps.publishToken)) {
      return sendError(res, 401, "unauthenticated", "Send the publish token of the database: Authorization: Bearer <token>.");
    }
    // Untrusted: the hub validates it (400 for anything that is not a booking event).
    const event = (await readBody(req)) as unknown as BookingEvent;
    try {
      const { id } = await deps.hub.publish(event);
      sendJson(res, 202, { id });
    } catch (error) {
      const code = (error as { code?: string }).code;
      sendError(res, code === "invalid_event" ? 400 : 503, code ?? "publish_failed", (error as Error).message);
    }
  });

  if (!deps.config.testHooks) return;
  // Demo and test only: refuse SSE (and end the open streams) while versions keep answering.
  router.on("POST", "/__demo/streams", async ({ req, res }) => {
    if (!fromLoopback(req)) return sendError(res, 403, "forbidden", "Test hooks answer only on loopback.");
    const body = await readBody(req);
    if (body["mode"] !== "refuse" && body["mode"] !== "accept") return sendError(res, 400, "invalid", 'Send {"mode": "refuse"} or {"mode": "accept"}.');
    deps.switches.refuseStreams = body["mode"] === "refuse";
    const ended = deps.switches.refuseStreams ? deps.streams.endAll() : 0;
    deps.logger.info(`[booking-app] test hook: SSE ${deps.switches.refuseStreams ? "refused" : "accepted"} (${ended} streams ended)`);
    sendJson(res, 200, { mode: body["mode"], ended });
  });
}
