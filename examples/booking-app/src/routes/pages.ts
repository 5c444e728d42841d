import { safeParseViewer, versionKeyFor } from "@realtime-bookings/protocol";
import { scopeOf, viewerOf } from "../auth/users.js";
import type { Session } from "../auth/session.js";
import type { Deps } from "../deps.js";
import { redirect, sendError, sendHtml } from "../http/respond.js";
import type { Router } from "../http/router.js";
import { viewRangeOf } from "../view-range.js";
import { bookingsFragment } from "../views/bookings.js";
import { bookingsPage } from "../views/page.js";

/**
 * The version of the viewer's scope, read BEFORE the bookings: the page hands it to the SDK as
 * `initialVersion`, so a change made between this read and the stream opening is still noticed.
 */
async function versionOf(deps: Deps, session: Session): Promise<number | undefined> {
  const viewer = safeParseViewer(viewerOf(session.user));
  if (!viewer.ok) return undefined;
  try {
    return await deps.hub.broker.readVersion(versionKeyFor(deps.hub.broker.keys, viewer.value));
  } catch {
    return undefined;
  }
}

/** `GET /` (the bookings page) and `GET /bookings` (its view, as an HTML fragment). */
export function pageRoutes(router: Router, deps: Deps): void {
  router.on("GET", "/", async ({ req, res, url }) => {
    const session = deps.sessionOf(req);
    if (!session) return redirect(res, "/login");
    const { user } = session;
    const initialVersion = await versionOf(deps, session);
    const range = viewRangeOf(url.searchParams);
    const fragment = bookingsFragment(range, deps.store.list(scopeOf(user), range.from, range.to), user);
    const { client } = deps.config;
    const page = bookingsPage({
      user,
      range,
      fragment,
      workpoints: deps.store.workpoints(),
      specialists: deps.store.specialists(),
      config: {
        streamUrl: "/api/bookings/events",
        versionUrl: "/api/bookings/version",
        bookingsUrl: "/bookings",
        csrfToken: session.csrfToken,
        initialVersion,
        client: { pollIntervalMs: client.pollIntervalMs, fallbackAfter: client.fallbackAfter, reconnect: { baseMs: client.reconnectBaseMs, maxMs: client.reconnectMaxMs } },
        defaults: {
          workpointId: user.role === "supervisor" ? user.workpointId : undefined,
          specialistId: user.role === "specialist" ? user.specialistId : undefined,
        },
      },
    });
    sendHtml(res, 200, page.value);
  });

  router.on("GET", "/bookings", ({ req, res, url }) => {
    const session = deps.sessionOf(req);
    if (!session) return sendError(res, 401, "unauthenticated", "Your session has ended: sign in again.");
    const range = viewRangeOf(url.searchParams);
    const bookings = deps.store.list(scopeOf(session.user), range.from, range.to);
    sendHtml(res, 200, bookingsFragment(range, bookings, session.user).value, { Vary: "Cookie" });
  });
}
