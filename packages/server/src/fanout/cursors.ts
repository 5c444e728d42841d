import type { EventId, EventScope, ViewerScope } from "@realtime-bookings/protocol";
import { NO_EVENT_YET as NO_CURSOR } from "./replay.js";

/**
 * The newest event id each scope has seen, so a fresh connection can be given a resume point that
 * reveals nothing outside the viewer's scope: the newest event a specialist or supervisor may see,
 * the global newest only for admins. A scope with no event since the hub started gets `0-0`, which
 * resumes into an honest `resync` (or into nothing, when there is no history at all), never a silent
 * gap.
 *
 * @internal
 */
export class ScopeCursors {
  private global: EventId | undefined;
  private readonly byWorkpoint = new Map<string, EventId>();
  private readonly bySpecialist = new Map<string, EventId>();

  /** Records an event (in id order). */
  advance(id: EventId, scope: EventScope): void {
    this.global = id;
    for (const w of scope.workpoints) this.byWorkpoint.set(w, id);
    for (const s of scope.specialists) this.bySpecialist.set(s, id);
  }

  /** The resume point to give a new connection of this viewer. */
  startFor(viewer: ViewerScope): EventId {
    switch (viewer.role) {
      case "admin":
        return this.global ?? NO_CURSOR;
      case "supervisor":
        return this.byWorkpoint.get(viewer.workpoint_id) ?? NO_CURSOR;
      case "specialist":
        return this.bySpecialist.get(viewer.specialist_id) ?? NO_CURSOR;
    }
  }
}
