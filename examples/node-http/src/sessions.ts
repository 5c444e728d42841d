import type { Viewer } from "@realtime-bookings/server";
import { randomBytes } from "node:crypto";

/** The cookie that carries the session id. */
export const COOKIE = "sid";

/**
 * The smallest honest session store: a random id in an HttpOnly cookie, mapped on the server to the
 * viewer (never a role the browser could edit). In memory, so one process only: use your app's real
 * session store (Redis, SQL) when you run several.
 */
export class Sessions {
  readonly #viewers = new Map<string, Viewer>();

  /** Signs a viewer in; returns the `Set-Cookie` value. */
  create(viewer: Viewer): string {
    const id = randomBytes(32).toString("base64url");
    this.#viewers.set(id, viewer);
    return `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax`;
  }

  /** The viewer of a session id, or `null`: exactly what the hub's `authenticate` returns. */
  viewer(id: string | undefined): Viewer | null {
    return (id && this.#viewers.get(id)) || null;
  }
}

/**
 * Reads the sign-in form's `as` field: `admin`, `supervisor:<workpoint>` or `specialist:<id>`.
 * Demo only: there are no passwords.
 */
export function viewerFromForm(as: string | null): Viewer | null {
  const [role, id = ""] = (as ?? "").split(":");
  if (role === "admin") return { role: "admin" };
  if (!/^[1-9]\d{0,8}$/.test(id)) return null;
  if (role === "supervisor") return { role: "supervisor", workpoint_id: Number(id) };
  if (role === "specialist") return { role: "specialist", specialist_id: Number(id) };
  return null;
}
