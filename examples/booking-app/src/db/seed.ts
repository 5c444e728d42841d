import type { Database } from "better-sqlite3";
import { type DateString, addDays, dateTime, timeOf, weekStart, weekday } from "../time.js";

/** The demo's workpoints and their supervisors. */
export const WORKPOINTS = [
  { id: 1, name: "Old Town Studio", address: "12 Market Square", supervisor: "Sam Carter" },
  { id: 2, name: "Riverside Clinic", address: "48 River Road", supervisor: "Rita Olsen" },
] as const;

/** The demo's specialists, three per workpoint, and what they offer (minutes). */
export const SPECIALISTS = [
  { id: 1, name: "Anna Berg", speciality: "Hairdresser", workpoint: 1 },
  { id: 2, name: "Marco Rossi", speciality: "Barber", workpoint: 1 },
  { id: 3, name: "Lena Novak", speciality: "Colourist", workpoint: 1 },
  { id: 4, name: "Sofia Lind", speciality: "Physiotherapist", workpoint: 2 },
  { id: 5, name: "Tom Keller", speciality: "Massage therapist", workpoint: 2 },
  { id: 6, name: "Yuki Tanaka", speciality: "Physiotherapist", workpoint: 2 },
] as const;

/** Services by speciality, with their usual length in minutes. */
export const SERVICES: Readonly<Record<string, ReadonlyArray<readonly [name: string, minutes: number]>>> = {
  Hairdresser: [["Haircut", 45], ["Cut and blow-dry", 60], ["Styling", 30]],
  Barber: [["Beard trim", 30], ["Haircut", 30], ["Hot towel shave", 45]],
  Colourist: [["Full colour", 90], ["Highlights", 120], ["Toner", 30]],
  Physiotherapist: [["Assessment", 60], ["Follow-up", 30], ["Sports rehab", 45]],
  "Massage therapist": [["Deep tissue massage", 60], ["Relaxing massage", 45], ["Back and neck", 30]],
};

const FIRST = ["Olivia", "Noah", "Emma", "Liam", "Mia", "Lucas", "Ava", "Elias", "Nora", "Leo", "Ella", "Hugo", "Ida", "Oscar", "Alma", "Felix", "Maja", "Adam", "Clara", "Otto"];
const LAST = ["Andersen", "Baker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova", "Jansen", "Kowalski", "Larsen", "Moreau", "Nielsen", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka"];

/** A small deterministic PRNG (mulberry32), so every fresh database holds the same bookings. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const OPEN = 9 * 60;
const CLOSE = 18 * 60;

/** What {@link seed} wrote. */
export interface SeedSummary {
  readonly workpoints: number;
  readonly specialists: number;
  readonly bookings: number;
  readonly from: DateString;
  readonly to: DateString;
}

/**
 * Fills an empty database: 2 workpoints, 6 specialists, the demo users, and a few hundred bookings
 * over two weeks (this week and the next, Monday to Saturday, 09:00–18:00, never overlapping for a
 * specialist). Runs inside the caller's transaction.
 *
 * @param today - the day the demo is first started; the two weeks start on its Monday
 */
export function seed(db: Database, today: DateString): SeedSummary {
  const now = `${today} 08:00:00`;
  const insertWorkpoint = db.prepare("INSERT INTO work_place (id_work_place, name_of_the_place, address) VALUES (?, ?, ?)");
  const insertSpecialist = db.prepare("INSERT INTO specialist (id_specialist, name, speciality, id_work_place) VALUES (?, ?, ?, ?)");
  const insertUser = db.prepare("INSERT INTO demo_user (login, display_name, role, id_work_place, id_specialist) VALUES (?, ?, ?, ?, ?)");
  const insertBooking = db.prepare(`
    INSERT INTO booking (id_work_place, id_specialist, client_full_name, client_phone_nr, name_of_service,
                         booking_start_datetime, booking_end_datetime, day_of_creation, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  insertUser.run("admin", "Alex Admin", "admin", null, null);
  for (const wp of WORKPOINTS) {
    insertWorkpoint.run(wp.id, wp.name, wp.address);
    insertUser.run(`supervisor-${wp.id}`, wp.supervisor, "supervisor", wp.id, null);
  }
  for (const s of SPECIALISTS) {
    insertSpecialist.run(s.id, s.name, s.speciality, s.workpoint);
    insertUser.run(`specialist-${s.id}`, s.name, "specialist", null, s.id);
  }

  const rand = random(20_240_601);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const from = weekStart(today);
  let bookings = 0;
  for (let day = 0; day < 14; day++) {
    const date = addDays(from, day);
    if (weekday(date) === 6) continue; // closed on Sundays
    for (const s of SPECIALISTS) {
      const services = SERVICES[s.speciality] ?? [];
      let at = OPEN + 15 * Math.floor(rand() * 4);
      while (at < CLOSE) {
        const [service, minutes] = pick(services);
        if (rand() < 0.6 && at + minutes <= CLOSE) {
          const phone = `+1 555 01${String(Math.floor(rand() * 100)).padStart(2, "0")}`;
          insertBooking.run(s.workpoint, s.id, `${pick(FIRST)} ${pick(LAST)}`, phone, service, dateTime(date, timeOf(at)), dateTime(date, timeOf(at + minutes)), now, now);
          bookings += 1;
          at += minutes;
        }
        at += 15 * (1 + Math.floor(rand() * 3));
      }
    }
  }
  return { workpoints: WORKPOINTS.length, specialists: SPECIALISTS.length, bookings, from, to: addDays(from, 13) };
}
