import { timingSafeEqual } from "node:crypto";
import type { Session } from "../auth/session.js";
import type { Deps } from "../deps.js";
import { sameOrigin } from "../http/request.js";
import { sendError } from "../http/respond.js";
import type { RouteContext } from "../http/router.js";

/** Compares two secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The gate of every write: a session (401), a same-origin request (403), and the session's CSRF
 * token in `X-CSRF-Token` or the `_csrf` field (403). Sends the refusal and returns `undefined`.
 */
export function writer(ctx: RouteContext, deps: Deps, body: Record<string, unknown> = {}): Session | undefined {
  const session = deps.sessionOf(ctx.req);
  if (!session) {
    sendError(ctx.res, 401, "unauthenticated", "Your session has ended: sign in again.");
    return undefined;
  }
  if (!sameOrigin(ctx.req)) {
    sendError(ctx.res, 403, "cross_origin", "Writes must come from this site.");
    return undefined;
  }
  const sent = ctx.req.headers["x-csrf-token"] ?? body["_csrf"];
  if (typeof sent !== "string" || !sameSecret(sent, session.csrfToken)) {
    sendError(ctx.res, 403, "csrf", "The page is out of date: reload it and try again.");
    return undefined;
  }
  return session;
}
