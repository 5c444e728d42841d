import type { Database, Statement } from "better-sqlite3";
import type { Viewer } from "@realtime-bookings/server";
import type { Scope } from "../db/bookings.js";

/** Someone who can sign in to the demo. */
export type DemoUser = {
  readonly id: number;
  readonly login: string;
  readonly displayName: string;
} & (
  | { readonly role: "admin" }
  | { readonly role: "supervisor"; readonly workpointId: number }
  | { readonly role: "specialist"; readonly specialistId: number }
);

type Row = { id_user: number; login: string; display_name: string; role: string; id_work_place: number | null; id_specialist: number | null };

function toUser(r: Row): DemoUser {
  const base = { id: r.id_user, login: r.login, displayName: r.display_name };
  if (r.role === "supervisor" && r.id_work_place !== null) return { ...base, role: "supervisor", workpointId: r.id_work_place };
  if (r.role === "specialist" && r.id_specialist !== null) return { ...base, role: "specialist", specialistId: r.id_specialist };
  return { ...base, role: "admin" };
}

/** The demo users: the admin, a supervisor per workpoint, each specialist. */
export class UserDirectory {
  readonly #all: Statement<[], Row>;
  readonly #byLogin: Statement<[string], Row>;
  readonly #byId: Statement<[number], Row>;

  constructor(db: Database) {
    this.#all = db.prepare("SELECT * FROM demo_user ORDER BY CASE role WHEN 'admin' THEN 0 WHEN 'supervisor' THEN 1 ELSE 2 END, id_user");
    this.#byLogin = db.prepare("SELECT * FROM demo_user WHERE login = ?");
    this.#byId = db.prepare("SELECT * FROM demo_user WHERE id_user = ?");
  }

  /** Every user, the admin first, then supervisors, then specialists. */
  all(): DemoUser[] {
    return this.#all.all().map(toUser);
  }

  /** A user by login name (`admin`, `supervisor-1`, `specialist-3`). */
  byLogin(login: string): DemoUser | undefined {
    const row = this.#byLogin.get(login);
    return row && toUser(row);
  }

  /** A user by id. */
  byId(id: number): DemoUser | undefined {
    const row = this.#byId.get(id);
    return row && toUser(row);
  }
}

/** The bookings a user sees. */
export function scopeOf(user: DemoUser): Scope {
  switch (user.role) {
    case "admin":
      return { role: "admin" };
    case "supervisor":
      return { role: "supervisor", workpointId: user.workpointId };
    case "specialist":
      return { role: "specialist", specialistId: user.specialistId };
  }
}

/** The hub's viewer for a user: the same scope, in the protocol's words. */
export function viewerOf(user: DemoUser): Viewer {
  switch (user.role) {
    case "admin":
      return { role: "admin" };
    case "supervisor":
      return { role: "supervisor", workpoint_id: user.workpointId };
    case "specialist":
      return { role: "specialist", specialist_id: user.specialistId };
  }
}
