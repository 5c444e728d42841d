import type { Database } from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { parseBookingForm } from "../src/booking-input.js";
import { type BookingInput, BookingStore, LIST_QUERIES } from "../src/db/bookings.js";
import { openDatabase } from "../src/db/open.js";
import { bookingEvent } from "../src/realtime/events.js";
import { addDays, weekStart } from "../src/time.js";
import { viewRange } from "../src/view-range.js";

const TODAY = "2030-01-09"; // a Wednesday
let db: Database | undefined;
const open = (): Database => (db = openDatabase(":memory:", { today: TODAY }).db);
afterEach(() => db?.close());

const input = (overrides: Partial<BookingInput> = {}): BookingInput => ({
  workpointId: 1,
  specialistId: 1,
  clientName: "Test Client",
  clientPhone: "",
  service: "Haircut",
  start: "2030-01-20 19:00:00",
  end: "2030-01-20 19:30:00",
  ...overrides,
});

describe("schema", () => {
  it("keeps the seed's column names and its two indexes", () => {
    const d = open();
    const columns = (d.pragma("table_info(booking)") as Array<{ name: string }>).map((c) => c.name);
    expect(columns).toEqual(expect.arrayContaining(["id_work_place", "id_specialist", "booking_start_datetime", "booking_end_datetime", "client_full_name", "name_of_service"]));
    const indexColumns = (name: string): string[] => (d.pragma(`index_info(${name})`) as Array<{ name: string }>).map((c) => c.name);
    expect(indexColumns("idx_workpoint_date")).toEqual(["id_work_place", "booking_start_datetime"]);
    expect(indexColumns("idx_specialist_date")).toEqual(["id_specialist", "booking_start_datetime"]);
  });

  it("reads every scope's bookings through those indexes", () => {
    const d = open();
    const plan = (sql: string, params: unknown[]): string =>
      (d.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join("\n");
    const range = ["2030-01-07 00:00:00", "2030-01-14 00:00:00"];
    expect(plan(LIST_QUERIES.supervisor, [1, ...range])).toMatch(/SEARCH b USING INDEX idx_workpoint_date \(id_work_place=\? AND booking_start_datetime>\? AND booking_start_datetime<\?\)/);
    expect(plan(LIST_QUERIES.specialist, [1, ...range])).toMatch(/SEARCH b USING INDEX idx_specialist_date \(id_specialist=\? AND booking_start_datetime>\? AND booking_start_datetime<\?\)/);
    expect(plan(LIST_QUERIES.admin, range)).toMatch(/SEARCH b USING INDEX idx_workpoint_date/);
    expect(plan(LIST_QUERIES.admin, range)).not.toMatch(/SCAN b/);
  });
});

describe("seed", () => {
  it("holds 2 workpoints, 6 specialists, the demo users and a few hundred bookings over two weeks", () => {
    const d = open();
    const count = (sql: string): number => (d.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT COUNT(*) AS n FROM work_place")).toBe(2);
    expect(count("SELECT COUNT(*) AS n FROM specialist")).toBe(6);
    expect(d.prepare("SELECT role, COUNT(*) AS n FROM demo_user GROUP BY role ORDER BY role").all()).toEqual([
      { role: "admin", n: 1 },
      { role: "specialist", n: 6 },
      { role: "supervisor", n: 2 },
    ]);
    const bookings = count("SELECT COUNT(*) AS n FROM booking");
    expect(bookings).toBeGreaterThanOrEqual(250);
    expect(bookings).toBeLessThanOrEqual(600);
    const span = d.prepare("SELECT MIN(substr(booking_start_datetime, 1, 10)) AS first, MAX(substr(booking_start_datetime, 1, 10)) AS last FROM booking").get();
    expect(span).toEqual({ first: weekStart(TODAY), last: addDays(weekStart(TODAY), 12) }); // Monday to the second Saturday
  });

  it("never double-books a specialist", () => {
    const d = open();
    const overlaps = d
      .prepare(`SELECT COUNT(*) AS n FROM booking a JOIN booking b ON a.id_specialist = b.id_specialist AND a.id_booking < b.id_booking
                 AND a.booking_start_datetime < b.booking_end_datetime AND b.booking_start_datetime < a.booking_end_datetime`)
      .get();
    expect(overlaps).toEqual({ n: 0 });
  });

  it("seeds once: opening the file again keeps what is there", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "booking-db-"));
    const path = join(dir, "db.sqlite");
    const first = openDatabase(path, { today: TODAY });
    expect(first.seeded?.bookings).toBeGreaterThan(0);
    first.db.prepare("DELETE FROM booking WHERE id_booking = 1").run();
    first.db.close();
    const second = openDatabase(path, { today: TODAY });
    expect(second.seeded).toBeUndefined();
    expect(second.db.prepare("SELECT COUNT(*) AS n FROM booking WHERE id_booking = 1").get()).toEqual({ n: 0 });
    second.db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("BookingStore", () => {
  it("lists a scope's bookings of a range in start order", () => {
    const store = new BookingStore(open());
    const week = viewRange("week", TODAY);
    const all = store.list({ role: "admin" }, week.from, week.to);
    const wp1 = store.list({ role: "supervisor", workpointId: 1 }, week.from, week.to);
    const s4 = store.list({ role: "specialist", specialistId: 4 }, week.from, week.to);
    expect(wp1.length).toBeGreaterThan(0);
    expect(wp1.every((b) => b.workpointId === 1)).toBe(true);
    expect(s4.every((b) => b.specialistId === 4)).toBe(true);
    expect(all.length).toBe(wp1.length + store.list({ role: "supervisor", workpointId: 2 }, week.from, week.to).length);
    expect(all.map((b) => b.start)).toEqual([...all.map((b) => b.start)].sort());
    expect(all.every((b) => b.start >= week.from && b.start < week.to)).toBe(true);
  });

  it("creates, refuses an overlap, moves, refuses a stale edit, and cancels", () => {
    const store = new BookingStore(open());
    const created = store.create(input());
    if (!created.ok) throw new Error("create refused");
    expect(created.booking).toMatchObject({ specialistId: 1, workpointId: 1, revision: 1, specialistName: "Anna Berg", workpointName: "Old Town Studio" });

    const clash = store.create(input({ start: "2030-01-20 19:15:00", end: "2030-01-20 19:45:00" }));
    expect(clash).toMatchObject({ ok: false, reason: "conflict", conflict: { id: created.booking.id } });
    // Back to back is fine.
    expect(store.create(input({ start: "2030-01-20 19:30:00", end: "2030-01-20 20:00:00" })).ok).toBe(true);

    const moved = store.update(created.booking.id, input({ workpointId: 2, specialistId: 4 }), 1);
    expect(moved).toMatchObject({ ok: true, booking: { workpointId: 2, specialistId: 4, revision: 2 }, before: { workpointId: 1, specialistId: 1 } });
    expect(store.update(created.booking.id, input(), 1)).toMatchObject({ ok: false, reason: "stale", current: { revision: 2 } });

    expect(store.cancel(created.booking.id, 2)).toMatchObject({ ok: true, booking: { id: created.booking.id } });
    expect(store.get(created.booking.id)).toBeUndefined();
    expect(store.cancel(created.booking.id)).toEqual({ ok: false, reason: "not_found" });
  });

  it("refuses an edit or a cancel as not found when the writer may not touch the booking as it is inside the transaction", () => {
    const store = new BookingStore(open());
    const created = store.create(input());
    if (!created.ok) throw new Error("create refused");
    const onlySpecialist4 = (b: { specialistId: number }): boolean => b.specialistId === 4;
    expect(store.update(created.booking.id, input({ specialistId: 4 }), undefined, onlySpecialist4)).toEqual({ ok: false, reason: "not_found" });
    expect(store.cancel(created.booking.id, undefined, onlySpecialist4)).toEqual({ ok: false, reason: "not_found" });
    expect(store.get(created.booking.id)).toMatchObject({ specialistId: 1, revision: 1 });
  });
});

describe("the booking form", () => {
  const known = { workpoints: [{ id: 1, name: "A" }], specialists: [{ id: 1, name: "B" }] };
  const form = { id_work_place: "1", id_specialist: "1", client_full_name: "Ann", name_of_service: "Cut", date: "2030-01-07", start_time: "10:00", end_time: "10:30" };

  it("turns a valid form into a booking", () => {
    expect(parseBookingForm({ ...form, revision: "3" }, known)).toEqual({
      ok: true,
      revision: 3,
      input: { workpointId: 1, specialistId: 1, clientName: "Ann", clientPhone: "", service: "Cut", start: "2030-01-07 10:00:00", end: "2030-01-07 10:30:00" },
    });
  });

  it("names every invalid field", () => {
    const result = parseBookingForm(
      { id_work_place: "9", id_specialist: "x", client_full_name: "A", client_phone_nr: "call me", name_of_service: "", date: "2030-02-30", start_time: "23:00", end_time: "22:30" },
      known,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(["client_full_name", "client_phone_nr", "date", "end_time", "id_specialist", "id_work_place", "name_of_service", "start_time"]);
    expect(parseBookingForm({ ...form, end_time: "09:00" }, known)).toEqual({ ok: false, errors: { end_time: "The end must be after the start." } });
  });
});

describe("the published event", () => {
  const booking = { id: 7, workpointId: 2, workpointName: "", specialistId: 4, specialistName: "", clientName: "Secret Name", clientPhone: "555", service: "", start: "2030-01-07 10:00:00", end: "2030-01-07 10:30:00", revision: 2, updatedAt: "" };

  it("names the booking, its scope and times, not the client", () => {
    expect(bookingEvent("create", booking)).toEqual({
      type: "create",
      data: { id: 7, specialist_id: 4, workpoint_id: 2, booking_start_datetime: "2030-01-07 10:00:00", booking_end_datetime: "2030-01-07 10:30:00" },
    });
  });

  it("carries the scope a move left, and nothing else", () => {
    expect(bookingEvent("update", booking, { ...booking, workpointId: 1 }).previous).toEqual({ workpoint_id: 1 });
    expect(bookingEvent("update", booking, { ...booking, workpointId: 1, specialistId: 1 }).previous).toEqual({ workpoint_id: 1, specialist_id: 1 });
    expect(bookingEvent("update", booking, booking)).not.toHaveProperty("previous");
  });
});

describe("calendar arithmetic", () => {
  it("adds days across months, years and daylight-saving changes", () => {
    expect(addDays("2030-03-30", 2)).toBe("2030-04-01");
    expect(addDays("2030-12-31", 1)).toBe("2031-01-01");
    expect(addDays("2030-03-31", -1)).toBe("2030-03-30");
    expect(weekStart("2030-01-13")).toBe("2030-01-07"); // Sunday → Monday before
    expect(viewRange("week", "2030-01-09")).toMatchObject({ from: "2030-01-07 00:00:00", to: "2030-01-14 00:00:00", prev: "2030-01-02", next: "2030-01-16" });
  });
});
