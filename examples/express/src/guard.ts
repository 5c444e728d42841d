import type { Viewer } from "@realtime-bookings/server";

/** Reads one request header by its lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Whether a POST comes from this site's own pages (the booking demo's rule, its login CSRF guard). A
 * browser sends `Origin` on every POST, and it must name the host the request was sent to; without
 * `Origin`, a browser's `Sec-Fetch-Site` must say `same-origin`. A request with neither comes from no
 * browser (curl, a test), so it carries no cookie and no sign-in a browser was tricked into.
 *
 * The session cookie's `SameSite=Lax` keeps it off cross-site POSTs; this also stops a cross-site
 * form from signing the browser in as someone else (login CSRF), which needs no cookie at all.
 *
 * @param header - the request's headers
 */
export function fromThisSite(header: HeaderReader): boolean {
  const origin = header("origin");
  if (origin === undefined) {
    const site = header("sec-fetch-site");
    return site === undefined || site === "same-origin";
  }
  try {
    return new URL(origin).host === header("host");
  } catch {
    return false;
  }
}

type Fields = Readonly<Record<string, unknown>>;
const isObject = (value: unknown): value is Fields => typeof value === "object" && value !== null && !Array.isArray(value);
const sameId = (value: unknown, own: string | number): boolean => (typeof value === "number" || typeof value === "string") && String(value) === String(own);

/**
 * Whether `viewer` may publish `event`: only someone allowed to change the booking may. An admin
 * publishes anything. A supervisor publishes only changes of bookings at their workpoint, a specialist
 * only of their own; for a move, where the booking was before (`previous`) must be theirs too, so no
 * one pushes a change into or out of a calendar they cannot see. `test` events are the admin's.
 *
 * In your app this is the write path's own check (may this user save this booking?), made before
 * saving; this example has no database, so the event is all there is to check. The hub still
 * validates the event after this (400 for one that is not a booking change).
 *
 * @param viewer - who is signed in
 * @param event - the untrusted request body
 */
export function mayPublish(viewer: Viewer, event: unknown): boolean {
  if (viewer.role === "admin") return true;
  if (!isObject(event) || !isObject(event["data"]) || !["create", "update", "delete"].includes(event["type"] as string)) return false;
  const [field, own] = viewer.role === "supervisor" ? ["workpoint_id", viewer.workpoint_id] : ["specialist_id", viewer.specialist_id];
  const previous = isObject(event["previous"]) ? event["previous"] : {};
  return sameId(event["data"][field], own) && (previous[field] === undefined || sameId(previous[field], own));
}
