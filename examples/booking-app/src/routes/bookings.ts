import { scopeOf } from "../auth/users.js";
import { parseBookingForm } from "../booking-input.js";
import { type Booking, type WriteResult, inScope } from "../db/bookings.js";
import type { Deps } from "../deps.js";
import { readBody } from "../http/request.js";
import { sendError, sendJson } from "../http/respond.js";
import type { RouteContext, Router } from "../http/router.js";
import { publishChange } from "../realtime/publish.js";
import { splitDateTime } from "../time.js";
import { writer } from "./guard.js";

/** A booking as the API returns it, with the form's date and times split out. */
function toJson(b: Booking): Record<string, unknown> {
  const start = splitDateTime(b.start);
  return { ...b, date: start.date, start_time: start.time, end_time: splitDateTime(b.end).time };
}

const idOf = (ctx: RouteContext): number | undefined => (/^[1-9]\d{0,9}$/.test(ctx.params["id"] ?? "") ? Number(ctx.params["id"]) : undefined);

const NOT_FOUND = "This booking no longer exists, or you cannot see it.";

/** Turns a refused write into its answer. */
function refuse(ctx: RouteContext, result: Exclude<WriteResult, { ok: true }>): void {
  switch (result.reason) {
    case "not_found":
      return sendError(ctx.res, 404, "not_found", NOT_FOUND);
    case "conflict": {
      const c = result.conflict;
      return sendError(ctx.res, 409, "conflict", `${c.specialistName} already has a booking from ${splitDateTime(c.start).time} to ${splitDateTime(c.end).time} that day.`, {
        conflict: { id: c.id },
      });
    }
    case "stale":
      return sendError(ctx.res, 409, "stale", "Someone changed this booking since you opened it. Close the form and open it again.", {
        current: toJson(result.current),
      });
  }
}

/**
 * The JSON API behind the page's forms. Every write checks the session, origin and CSRF token, then
 * the scope (a user changes only bookings they can see, and creates only inside their scope), then
 * writes to SQLite, then publishes through the hub.
 */
export function bookingRoutes(router: Router, deps: Deps): void {
  router.on("GET", "/bookings/:id", (ctx) => {
    const session = deps.sessionOf(ctx.req);
    if (!session) return sendError(ctx.res, 401, "unauthenticated", "Your session has ended: sign in again.");
    const id = idOf(ctx);
    const booking = id === undefined ? undefined : deps.store.get(id);
    if (!booking || !inScope(scopeOf(session.user), booking)) return sendError(ctx.res, 404, "not_found", NOT_FOUND);
    sendJson(ctx.res, 200, { booking: toJson(booking) });
  });

  router.on("POST", "/bookings", async (ctx) => {
    const body = await readBody(ctx.req);
    const session = writer(ctx, deps, body);
    if (!session) return;
    const form = parseBookingForm(body, { workpoints: deps.store.workpoints(), specialists: deps.store.specialists() });
    if (!form.ok) return sendError(ctx.res, 422, "invalid", "Check the highlighted fields.", { fields: form.errors });
    if (!inScope(scopeOf(session.user), form.input)) {
      return sendError(ctx.res, 403, "out_of_scope", session.user.role === "specialist" ? "You can only book for yourself." : "You can only book at your workpoint.");
    }
    const result = deps.store.create(form.input);
    if (!result.ok) return refuse(ctx, result);
    const published = await publishChange(deps, "create", result.booking);
    sendJson(ctx.res, 201, { booking: toJson(result.booking), published });
  });

  router.on("POST", "/bookings/:id", async (ctx) => {
    const body = await readBody(ctx.req);
    const session = writer(ctx, deps, body);
    if (!session) return;
    const id = idOf(ctx);
    const current = id === undefined ? undefined : deps.store.get(id);
    if (id === undefined || !current || !inScope(scopeOf(session.user), current)) return sendError(ctx.res, 404, "not_found", NOT_FOUND);
    const form = parseBookingForm(body, { workpoints: deps.store.workpoints(), specialists: deps.store.specialists() });
    if (!form.ok) return sendError(ctx.res, 422, "invalid", "Check the highlighted fields.", { fields: form.errors });
    // Moving a booking you can see to another specialist or workpoint is allowed: it then leaves your view.
    const result = deps.store.update(id, form.input, form.revision);
    if (!result.ok) return refuse(ctx, result);
    const published = await publishChange(deps, "update", result.booking, result.before);
    sendJson(ctx.res, 200, { booking: toJson(result.booking), published });
  });

  router.on("POST", "/bookings/:id/cancel", async (ctx) => {
    const body = await readBody(ctx.req);
    const session = writer(ctx, deps, body);
    if (!session) return;
    const id = idOf(ctx);
    const current = id === undefined ? undefined : deps.store.get(id);
    if (id === undefined || !current || !inScope(scopeOf(session.user), current)) return sendError(ctx.res, 404, "not_found", NOT_FOUND);
    const revision = body["revision"] === undefined || body["revision"] === "" ? undefined : Number(body["revision"]);
    const result = deps.store.cancel(id, Number.isSafeInteger(revision) ? revision : undefined);
    if (!result.ok) return refuse(ctx, result);
    const published = await publishChange(deps, "delete", result.booking);
    sendJson(ctx.res, 200, { booking: toJson(result.booking), published });
  });
}
