import { writeRefusal } from "../auth/permissions.js";
import { type DemoUser, scopeOf } from "../auth/users.js";
import { parseBookingForm } from "../booking-input.js";
import { type Booking, type WriteResult, inScope } from "../db/bookings.js";
import type { Deps } from "../deps.js";
import { readBody } from "../http/request.js";
import { sendError, sendJson } from "../http/respond.js";
import type { RouteContext, Router } from "../http/router.js";
import { originOf, publishChange } from "../realtime/publish.js";
import { splitDateTime } from "../time.js";
import { writer } from "./guard.js";

/** A booking as the API returns it, with the form's date and times split out. */
function toJson(b: Booking): Record<string, unknown> {
  const start = splitDateTime(b.start);
  return { ...b, date: start.date, start_time: start.time, end_time: splitDateTime(b.end).time };
}

const idOf = (ctx: RouteContext): number | undefined => (/^[1-9]\d{0,9}$/.test(ctx.params["id"] ?? "") ? Number(ctx.params["id"]) : undefined);

const NOT_FOUND = "This booking no longer exists, or you cannot see it.";

/** What a conflict outside the writer's scope says: nothing about the booking they may not see. */
export const TAKEN = "That time is taken: choose another time or specialist.";

/**
 * Turns a refused write into its answer. A conflict (or a stale form) names the other booking only
 * when the writer may see it: otherwise a 409 would tell them who is booked when elsewhere.
 */
function refuse(ctx: RouteContext, user: DemoUser, result: Exclude<WriteResult, { ok: true }>): void {
  const scope = scopeOf(user);
  switch (result.reason) {
    case "not_found":
      return sendError(ctx.res, 404, "not_found", NOT_FOUND);
    case "conflict": {
      const c = result.conflict;
      if (!inScope(scope, c)) return sendError(ctx.res, 409, "conflict", TAKEN);
      return sendError(ctx.res, 409, "conflict", `${c.specialistName} already has a booking from ${splitDateTime(c.start).time} to ${splitDateTime(c.end).time} that day.`, {
        conflict: { id: c.id },
      });
    }
    case "stale":
      if (!inScope(scope, result.current)) return sendError(ctx.res, 404, "not_found", NOT_FOUND);
      return sendError(ctx.res, 409, "stale", "Someone changed this booking since you opened it. Close the form and open it again.", {
        current: toJson(result.current),
      });
  }
}

/** Sends 403 when the user may not write a booking with these values (see {@link writeRefusal}). */
function outOfScope(ctx: RouteContext, deps: Deps, user: DemoUser, target: Parameters<typeof writeRefusal>[1], current?: Booking): boolean {
  const refusal = writeRefusal(user, target, deps.store.specialists(), current);
  if (refusal !== undefined) sendError(ctx.res, 403, "out_of_scope", refusal);
  return refusal !== undefined;
}

/**
 * The JSON API behind the page's forms. Every write checks the session, origin and CSRF token, then
 * the scope (a user changes only bookings they can see, and creates or moves a booking only where
 * {@link writeRefusal} allows), then writes to SQLite, then publishes through the hub.
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
    if (outOfScope(ctx, deps, session.user, form.input)) return;
    const result = deps.store.create(form.input);
    if (!result.ok) return refuse(ctx, session.user, result);
    const published = await publishChange(deps, "create", result.booking, undefined, originOf(ctx.req.headers["x-realtime-client"]));
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
    // The new values pass the same check as a new booking's: an edit cannot move a booking into a
    // calendar its author could not book in.
    if (outOfScope(ctx, deps, session.user, form.input, current)) return;
    // Checked again inside the write's transaction, against the booking as it is there.
    const allowed = (b: Booking): boolean => inScope(scopeOf(session.user), b) && writeRefusal(session.user, form.input, deps.store.specialists(), b) === undefined;
    const result = deps.store.update(id, form.input, form.revision, allowed);
    if (!result.ok) return refuse(ctx, session.user, result);
    const published = await publishChange(deps, "update", result.booking, result.before, originOf(ctx.req.headers["x-realtime-client"]));
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
    const visible = (b: Booking): boolean => inScope(scopeOf(session.user), b);
    const result = deps.store.cancel(id, Number.isSafeInteger(revision) ? revision : undefined, visible);
    if (!result.ok) return refuse(ctx, session.user, result);
    const published = await publishChange(deps, "delete", result.booking, undefined, originOf(ctx.req.headers["x-realtime-client"]));
    sendJson(ctx.res, 200, { booking: toJson(result.booking), published });
  });
}
