import { SESSION_COOKIE, clearedSessionCookie, sessionCookie } from "../auth/session.js";
import type { Deps } from "../deps.js";
import { cookieOf, readBody, sameOrigin } from "../http/request.js";
import { redirect, sendHtml } from "../http/respond.js";
import type { Router } from "../http/router.js";
import { loginPage } from "../views/login.js";
import { writer } from "./guard.js";

/** `GET /login`, `POST /login`, `POST /logout`. */
export function authRoutes(router: Router, deps: Deps): void {
  const page = (error?: string): string => loginPage(deps.users.all(), deps.store.workpoints(), deps.store.specialists(), error).value;

  router.on("GET", "/login", ({ req, res }) => {
    if (deps.sessionOf(req)) return redirect(res, "/");
    sendHtml(res, 200, page());
  });

  router.on("POST", "/login", async ({ req, res }) => {
    if (!sameOrigin(req)) return sendHtml(res, 403, page("Sign in from this site's own page."));
    const body = await readBody(req);
    const user = typeof body["login"] === "string" ? deps.users.byLogin(body["login"]) : undefined;
    if (!user) return sendHtml(res, 400, page("Choose one of the demo users."));
    // A new session on every sign-in (no fixation); the old one, if any, ends.
    deps.sessions.destroy(cookieOf(req, SESSION_COOKIE));
    const token = deps.sessions.create(user);
    redirect(res, "/", { "Set-Cookie": sessionCookie(token, deps.sessions.ttlMs, deps.config.cookieSecure) });
  });

  router.on("POST", "/logout", async (ctx) => {
    const body = await readBody(ctx.req);
    const session = writer(ctx, deps, body);
    if (!session) return;
    deps.sessions.destroy(cookieOf(ctx.req, SESSION_COOKIE));
    deps.streams.endSession(session.key);
    redirect(ctx.res, "/login", { "Set-Cookie": clearedSessionCookie(deps.config.cookieSecure) });
  });
}
