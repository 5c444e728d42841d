import type { EventScope } from "./event.js";
import { type ParseResult, fail } from "./errors.js";
import { isPlainObject } from "./json.js";
import { type CanonicalId, type Id, safeParseId } from "./scope-id.js";

/** The roles of the original system. */
export const VIEWER_ROLES = ["admin", "supervisor", "specialist"] as const;

/** A viewer's role: `admin` sees every booking, `supervisor` a workpoint's, `specialist` their own. */
export type ViewerRole = (typeof VIEWER_ROLES)[number];

/**
 * Who is watching, as the app's authentication decides:
 * an admin sees all bookings, a supervisor their workpoint's, a specialist their own.
 *
 * @example
 * ```ts
 * const viewer: Viewer = { role: "supervisor", workpoint_id: 1 };
 * ```
 */
export type Viewer =
  | { readonly role: "admin" }
  | { readonly role: "supervisor"; readonly workpoint_id: Id }
  | { readonly role: "specialist"; readonly specialist_id: Id };

/**
 * A validated {@link Viewer} with canonical ids: what the hub indexes connections by.
 */
export type ViewerScope =
  | { readonly role: "admin" }
  | { readonly role: "supervisor"; readonly workpoint_id: CanonicalId }
  | { readonly role: "specialist"; readonly specialist_id: CanonicalId };

/**
 * Validates an untrusted value (an app hook's return, a token's claims) as a viewer.
 * Fields that do not belong to the role are ignored, so a specialist's `workpoint_id` never widens
 * what they see.
 *
 * @param value - the untrusted value
 * @returns the viewer's canonical scope, or a {@link ProtocolError} naming the field
 */
export function safeParseViewer(value: unknown): ParseResult<ViewerScope> {
  if (!isPlainObject(value)) return fail("invalid_field", "a viewer must be an object");
  switch (value["role"]) {
    case "admin":
      return { ok: true, value: { role: "admin" } };
    case "supervisor": {
      const id = safeParseId(value["workpoint_id"], "workpoint_id");
      return id.ok ? { ok: true, value: { role: "supervisor", workpoint_id: id.value } } : id;
    }
    case "specialist": {
      const id = safeParseId(value["specialist_id"], "specialist_id");
      return id.ok ? { ok: true, value: { role: "specialist", specialist_id: id.value } } : id;
    }
    case undefined:
      return fail("missing_field", "role is required", "role");
    default:
      return fail("invalid_field", 'role must be "admin", "supervisor" or "specialist"', "role");
  }
}

/**
 * The one visibility rule: may this viewer see an event of this scope?
 * A specialist sees their own bookings, a supervisor their workpoint's, an admin all. A move is seen
 * by the viewers of the old scope and of the new one, because the scope holds both.
 *
 * @param viewer - the viewer's canonical scope, from {@link safeParseViewer}
 * @param scope - the event's scope, from {@link safeParseBookingEvent}
 * @returns `true` when the event may be delivered to this viewer
 */
export function canView(viewer: ViewerScope, scope: EventScope): boolean {
  switch (viewer.role) {
    case "admin":
      return true;
    case "supervisor":
      return scope.workpoints.includes(viewer.workpoint_id);
    case "specialist":
      return scope.specialists.includes(viewer.specialist_id);
  }
}

/**
 * The one string that names a viewer's scope: `admin`, `supervisor:<workpoint>` or
 * `specialist:<specialist>`. Ids are canonical (no separators can occur in them), so two scopes never
 * share a key. Used wherever something is counted or cached per scope.
 *
 * @example
 * ```ts
 * scopeKey({ role: "specialist", specialist_id: "3" as CanonicalId }); // "specialist:3"
 * ```
 */
export function scopeKey(viewer: ViewerScope): string {
  switch (viewer.role) {
    case "admin":
      return "admin";
    case "supervisor":
      return `supervisor:${viewer.workpoint_id}`;
    case "specialist":
      return `specialist:${viewer.specialist_id}`;
  }
}
