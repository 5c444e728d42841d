import type { Database, Statement } from "better-sqlite3";

/** A booking as the pages show it. Date-times are naive local `YYYY-MM-DD HH:MM:SS`. */
export interface Booking {
  readonly id: number;
  readonly workpointId: number;
  readonly workpointName: string;
  readonly specialistId: number;
  readonly specialistName: string;
  readonly clientName: string;
  readonly clientPhone: string;
  readonly service: string;
  readonly start: string;
  readonly end: string;
  /** Bumped by every edit: an edit made from a stale form is refused. */
  readonly revision: number;
  readonly updatedAt: string;
}

/** What a create or an edit writes. */
export interface BookingInput {
  readonly workpointId: number;
  readonly specialistId: number;
  readonly clientName: string;
  readonly clientPhone: string;
  readonly service: string;
  readonly start: string;
  readonly end: string;
}

/** Which bookings a user sees: all, a workpoint's, or a specialist's own. */
export type Scope =
  | { readonly role: "admin" }
  | { readonly role: "supervisor"; readonly workpointId: number }
  | { readonly role: "specialist"; readonly specialistId: number };

/** Whether a booking is in a scope. */
export function inScope(scope: Scope, booking: Pick<Booking, "workpointId" | "specialistId">): boolean {
  switch (scope.role) {
    case "admin":
      return true;
    case "supervisor":
      return booking.workpointId === scope.workpointId;
    case "specialist":
      return booking.specialistId === scope.specialistId;
  }
}

/** Why a write was refused. */
export type WriteRefusal =
  | { readonly ok: false; readonly reason: "not_found" }
  /** The specialist already has a booking overlapping that time. */
  | { readonly ok: false; readonly reason: "conflict"; readonly conflict: Booking }
  /** The booking changed since the form was opened. */
  | { readonly ok: false; readonly reason: "stale"; readonly current: Booking };

/** A write that happened: the booking after it and, for edits and cancels, before it. */
export type WriteResult = { readonly ok: true; readonly booking: Booking; readonly before: Booking | undefined } | WriteRefusal;

/** A workpoint or specialist, for the form's choices. */
export interface Named {
  readonly id: number;
  readonly name: string;
}

/** A specialist with their home workpoint. */
export interface SpecialistRow extends Named {
  readonly speciality: string;
  readonly workpointId: number;
}

type Row = {
  id_booking: number;
  id_work_place: number;
  name_of_the_place: string;
  id_specialist: number;
  specialist_name: string;
  client_full_name: string;
  client_phone_nr: string;
  name_of_service: string;
  booking_start_datetime: string;
  booking_end_datetime: string;
  revision: number;
  updated_at: string;
};

const SELECT = `
  SELECT b.id_booking, b.id_work_place, w.name_of_the_place, b.id_specialist, s.name AS specialist_name,
         b.client_full_name, b.client_phone_nr, b.name_of_service, b.booking_start_datetime,
         b.booking_end_datetime, b.revision, b.updated_at
    FROM booking AS b
    JOIN work_place AS w ON w.id_work_place = b.id_work_place
    JOIN specialist AS s ON s.id_specialist = b.id_specialist`;

const ORDER = "ORDER BY b.booking_start_datetime, b.id_booking";
const RANGE = "b.booking_start_datetime >= ? AND b.booking_start_datetime < ?";

/**
 * The bookings view's queries, one per role. Each reads through one of the seed's indexes; the admin's
 * reads every workpoint through `idx_workpoint_date` rather than scanning the table.
 */
export const LIST_QUERIES = {
  supervisor: `${SELECT} WHERE b.id_work_place = ? AND ${RANGE} ${ORDER}`,
  specialist: `${SELECT} WHERE b.id_specialist = ? AND ${RANGE} ${ORDER}`,
  admin: `${SELECT} WHERE b.id_work_place IN (SELECT id_work_place FROM work_place) AND ${RANGE} ${ORDER}`,
} as const;

const toBooking = (r: Row): Booking => ({
  id: r.id_booking,
  workpointId: r.id_work_place,
  workpointName: r.name_of_the_place,
  specialistId: r.id_specialist,
  specialistName: r.specialist_name,
  clientName: r.client_full_name,
  clientPhone: r.client_phone_nr,
  service: r.name_of_service,
  start: r.booking_start_datetime,
  end: r.booking_end_datetime,
  revision: r.revision,
  updatedAt: r.updated_at,
});

const stamp = (): string => new Date().toISOString().replace("T", " ").slice(0, 19);

/**
 * Every query and write on bookings. Each list query uses one of the seed's indexes
 * (`idx_workpoint_date` or `idx_specialist_date`); every statement is prepared and parameterized.
 * Writes run in IMMEDIATE transactions, so the overlap check and the write cannot interleave with
 * another process's.
 */
export class BookingStore {
  readonly #db: Database;
  readonly #byWorkpoint: Statement<[number, string, string], Row>;
  readonly #bySpecialist: Statement<[number, string, string], Row>;
  readonly #all: Statement<[string, string], Row>;
  readonly #byId: Statement<[number], Row>;
  readonly #overlap: Statement<[number, string, string, number], Row>;
  readonly #insert: Statement<[number, number, string, string, string, string, string, string, string]>;
  readonly #update: Statement<[number, number, string, string, string, string, string, string, number]>;
  readonly #delete: Statement<[number]>;
  readonly #workpoints: Statement<[], Named>;
  readonly #specialists: Statement<[], SpecialistRow>;

  constructor(db: Database) {
    this.#db = db;
    this.#byWorkpoint = db.prepare(LIST_QUERIES.supervisor);
    this.#bySpecialist = db.prepare(LIST_QUERIES.specialist);
    this.#all = db.prepare(LIST_QUERIES.admin);
    this.#byId = db.prepare(`${SELECT} WHERE b.id_booking = ?`);
    this.#overlap = db.prepare(
      `${SELECT} WHERE b.id_specialist = ? AND b.booking_start_datetime < ? AND b.booking_end_datetime > ? AND b.id_booking <> ? ${ORDER} LIMIT 1`,
    );
    this.#insert = db.prepare(`
      INSERT INTO booking (id_work_place, id_specialist, client_full_name, client_phone_nr, name_of_service,
                           booking_start_datetime, booking_end_datetime, day_of_creation, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#update = db.prepare(`
      UPDATE booking SET id_work_place = ?, id_specialist = ?, client_full_name = ?, client_phone_nr = ?,
                         name_of_service = ?, booking_start_datetime = ?, booking_end_datetime = ?,
                         updated_at = ?, revision = revision + 1
       WHERE id_booking = ?`);
    this.#delete = db.prepare("DELETE FROM booking WHERE id_booking = ?");
    this.#workpoints = db.prepare("SELECT id_work_place AS id, name_of_the_place AS name FROM work_place ORDER BY id_work_place");
    this.#specialists = db.prepare("SELECT id_specialist AS id, name, speciality, id_work_place AS workpointId FROM specialist ORDER BY id_specialist");
  }

  /** The bookings of a scope starting in `[from, to)` (date-times), in start order. */
  list(scope: Scope, from: string, to: string): Booking[] {
    const rows =
      scope.role === "admin"
        ? this.#all.all(from, to)
        : scope.role === "supervisor"
          ? this.#byWorkpoint.all(scope.workpointId, from, to)
          : this.#bySpecialist.all(scope.specialistId, from, to);
    return rows.map(toBooking);
  }

  /** One booking, or `undefined`. */
  get(id: number): Booking | undefined {
    const row = this.#byId.get(id);
    return row && toBooking(row);
  }

  /** The first booking of `specialistId` overlapping `[start, end)`, other than `exceptId`. */
  overlapping(specialistId: number, start: string, end: string, exceptId = 0): Booking | undefined {
    const row = this.#overlap.get(specialistId, end, start, exceptId);
    return row && toBooking(row);
  }

  /** Creates a booking unless it overlaps another of the same specialist. */
  create(input: BookingInput): WriteResult {
    return this.#db
      .transaction((): WriteResult => {
        const conflict = this.overlapping(input.specialistId, input.start, input.end);
        if (conflict) return { ok: false, reason: "conflict", conflict };
        const now = stamp();
        const { lastInsertRowid } = this.#insert.run(
          input.workpointId, input.specialistId, input.clientName, input.clientPhone, input.service, input.start, input.end, now, now,
        );
        return { ok: true, booking: this.get(Number(lastInsertRowid)) as Booking, before: undefined };
      })
      .immediate();
  }

  /**
   * Edits a booking (which may move it to another specialist or workpoint).
   *
   * @param expectedRevision - the revision the form was opened on; another one is refused as `stale`
   */
  update(id: number, input: BookingInput, expectedRevision?: number): WriteResult {
    return this.#db
      .transaction((): WriteResult => {
        const before = this.get(id);
        if (!before) return { ok: false, reason: "not_found" };
        if (expectedRevision !== undefined && expectedRevision !== before.revision) return { ok: false, reason: "stale", current: before };
        const conflict = this.overlapping(input.specialistId, input.start, input.end, id);
        if (conflict) return { ok: false, reason: "conflict", conflict };
        this.#update.run(input.workpointId, input.specialistId, input.clientName, input.clientPhone, input.service, input.start, input.end, stamp(), id);
        return { ok: true, booking: this.get(id) as Booking, before };
      })
      .immediate();
  }

  /** Cancels (deletes) a booking; `booking` is what it was. */
  cancel(id: number, expectedRevision?: number): WriteResult {
    return this.#db
      .transaction((): WriteResult => {
        const before = this.get(id);
        if (!before) return { ok: false, reason: "not_found" };
        if (expectedRevision !== undefined && expectedRevision !== before.revision) return { ok: false, reason: "stale", current: before };
        this.#delete.run(id);
        return { ok: true, booking: before, before };
      })
      .immediate();
  }

  /** The workpoints, by id. */
  workpoints(): Named[] {
    return this.#workpoints.all();
  }

  /** The specialists, by id. */
  specialists(): SpecialistRow[] {
    return this.#specialists.all();
  }
}
