import { type EventId, type EventScope, NO_EVENT_YET, type ViewerScope } from "@realtime-bookings/protocol";

/** A checkpoint is at least this old and rounded down to it, in ms: it shows nothing finer than a minute. */
const CHECKPOINT_MS = 60_000;

/**
 * How many workpoints and how many specialists keep a resume point. Past it the scope seen least
 * recently forgets its own, and a new viewer of it gets {@link NO_EVENT_YET}, which resumes into an
 * honest `resync` (never a silent gap). Scope ids come from published events: without a bound, a
 * publisher sending many distinct ids would grow the hub's memory without end (200,000 ids: +33 MiB).
 */
export const MAX_SCOPE_CURSORS = 10_000;

/** A map that keeps its `max` most recently set keys. */
class RecentMap {
  private readonly map = new Map<string, EventId>();

  constructor(private readonly max: number) {}

  get(key: string): EventId | undefined {
    return this.map.get(key);
  }

  set(key: string, id: EventId): void {
    this.map.delete(key); // re-inserted last: Map iteration order is insertion order
    this.map.set(key, id);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}

/**
 * The newest event id each scope has seen, so a fresh connection can be given a resume point that
 * reveals nothing outside the viewer's scope: the newest event a specialist or supervisor may see,
 * the global newest only for admins. A scope with no event since the hub started (or forgotten, see
 * {@link MAX_SCOPE_CURSORS}) gets {@link NO_EVENT_YET}.
 *
 * @internal
 */
export class ScopeCursors {
  private global: EventId | undefined;
  private readonly byWorkpoint: RecentMap;
  private readonly bySpecialist: RecentMap;

  /** @param max - how many workpoints, and how many specialists, keep a resume point */
  constructor(max = MAX_SCOPE_CURSORS) {
    this.byWorkpoint = new RecentMap(max);
    this.bySpecialist = new RecentMap(max);
  }

  /** Records an event (in id order). */
  advance(id: EventId, scope: EventScope): void {
    this.global = id;
    for (const w of scope.workpoints) this.byWorkpoint.set(w, id);
    for (const s of scope.specialists) this.bySpecialist.set(s, id);
  }

  /**
   * The resume point to give a new connection of this viewer: its scope's newest event, else the
   * {@link ScopeCursors.checkpoint}, else {@link NO_EVENT_YET} (nothing was ever seen).
   */
  startFor(viewer: ViewerScope, now = Date.now()): EventId {
    return this.scopeCursor(viewer) ?? this.checkpoint(now) ?? NO_EVENT_YET;
  }

  /** The newest event this viewer may see, if this hub knows one. */
  scopeCursor(viewer: ViewerScope): EventId | undefined {
    switch (viewer.role) {
      case "admin":
        return this.global;
      case "supervisor":
        return this.byWorkpoint.get(viewer.workpoint_id);
      case "specialist":
        return this.bySpecialist.get(viewer.specialist_id);
    }
  }

  /**
   * A resume point for a viewer who saw none of the recent events: the start of the minute a minute
   * before now, but never after the newest event this hub delivered (every event up to it went out
   * before, so a resume from here misses nothing). It reveals nothing about other scopes finer than
   * the minute of the newest event, and only when that is over a minute old. `undefined` before any
   * event.
   */
  checkpoint(now = Date.now()): EventId | undefined {
    if (this.global === undefined) return undefined;
    const newest = Number(this.global.split("-")[0]);
    const at = Math.floor(Math.min(now - CHECKPOINT_MS, newest) / CHECKPOINT_MS) * CHECKPOINT_MS;
    return at > 0 ? (`${at}-0` as EventId) : undefined;
  }

  /** How many scopes hold a resume point (for tests and metrics). */
  get size(): number {
    return this.byWorkpoint.size + this.bySpecialist.size;
  }
}
