import type { CanonicalId, EventScope, ViewerRole } from "@realtime-bookings/protocol";
import type { Connection } from "./connection.js";

/**
 * Every open connection, indexed by the scope it may see, so delivering an event touches only the
 * connections that may see it: admins, the supervisors of its workpoints, and its specialists. Each
 * connection sits in exactly one set, so no connection is visited twice for one event.
 *
 * @internal
 */
export class Registry {
  private readonly admins = new Set<Connection>();
  private readonly byWorkpoint = new Map<CanonicalId, Set<Connection>>();
  private readonly bySpecialist = new Map<CanonicalId, Set<Connection>>();
  private readonly perKey = new Map<string, number>();
  private count = 0;

  /** How many connections are open. */
  get size(): number {
    return this.count;
  }

  /** How many connections one viewer key holds. */
  countFor(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  /** Open connections by role. */
  byRole(): Record<ViewerRole, number> {
    let supervisor = 0;
    let specialist = 0;
    for (const set of this.byWorkpoint.values()) supervisor += set.size;
    for (const set of this.bySpecialist.values()) specialist += set.size;
    return { admin: this.admins.size, supervisor, specialist };
  }

  add(connection: Connection): void {
    const set = this.setFor(connection, true);
    if (set.has(connection)) return;
    set.add(connection);
    this.count += 1;
    this.perKey.set(connection.key, this.countFor(connection.key) + 1);
  }

  remove(connection: Connection): void {
    const set = this.setFor(connection, false);
    if (!set?.delete(connection)) return;
    this.count -= 1;
    const left = this.countFor(connection.key) - 1;
    if (left > 0) this.perKey.set(connection.key, left);
    else this.perKey.delete(connection.key);
    if (set.size === 0 && set !== this.admins) {
      const { viewer } = connection;
      if (viewer.role === "supervisor") this.byWorkpoint.delete(viewer.workpoint_id);
      else if (viewer.role === "specialist") this.bySpecialist.delete(viewer.specialist_id);
    }
  }

  /** Calls `visit` for each admin connection: admins see every event. */
  forEachAdmin(visit: (connection: Connection) => void): void {
    this.admins.forEach(visit);
  }

  /**
   * Calls `visit` once for each connection other than an admin's that may see an event of this scope
   * (its workpoints' supervisors, its specialists), or for every such connection when `scope` is
   * `undefined`.
   */
  forEachScoped(scope: EventScope | undefined, visit: (connection: Connection) => void): void {
    if (scope === undefined) {
      for (const set of this.byWorkpoint.values()) set.forEach(visit);
      for (const set of this.bySpecialist.values()) set.forEach(visit);
      return;
    }
    for (const id of scope.workpoints) this.byWorkpoint.get(id)?.forEach(visit);
    for (const id of scope.specialists) this.bySpecialist.get(id)?.forEach(visit);
  }

  /** Calls `visit` once for each open connection. */
  forEach(visit: (connection: Connection) => void): void {
    this.admins.forEach(visit);
    this.forEachScoped(undefined, visit);
  }

  private setFor(connection: Connection, create: true): Set<Connection>;
  private setFor(connection: Connection, create: false): Set<Connection> | undefined;
  private setFor(connection: Connection, create: boolean): Set<Connection> | undefined {
    const { viewer } = connection;
    if (viewer.role === "admin") return this.admins;
    const [map, id] = viewer.role === "supervisor" ? [this.byWorkpoint, viewer.workpoint_id] : [this.bySpecialist, viewer.specialist_id];
    let set = map.get(id);
    if (!set && create) {
      set = new Set();
      map.set(id, set);
    }
    return set;
  }
}
