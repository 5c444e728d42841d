import type { Database } from "better-sqlite3";

/** Bumped when the schema changes; a file with another version is refused with a hint. */
export const SCHEMA_VERSION = 1;

/**
 * The tables of the original system as far as the demo needs them. `booking` keeps the seed's column
 * names and its two indexes (`idx_workpoint_date`, `idx_specialist_date`), which every bookings
 * query uses. Date-times are naive local `YYYY-MM-DD HH:MM:SS`, like MySQL's DATETIME.
 */
const DDL = `
CREATE TABLE IF NOT EXISTS work_place (
  id_work_place     INTEGER PRIMARY KEY,
  name_of_the_place TEXT NOT NULL,
  address           TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS specialist (
  id_specialist INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  speciality    TEXT NOT NULL,
  id_work_place INTEGER NOT NULL REFERENCES work_place (id_work_place)
);

CREATE TABLE IF NOT EXISTS booking (
  id_booking             INTEGER PRIMARY KEY AUTOINCREMENT,
  id_work_place          INTEGER NOT NULL REFERENCES work_place (id_work_place),
  id_specialist          INTEGER NOT NULL REFERENCES specialist (id_specialist),
  client_full_name       TEXT NOT NULL,
  client_phone_nr        TEXT NOT NULL DEFAULT '',
  name_of_service        TEXT NOT NULL,
  booking_start_datetime TEXT NOT NULL,
  booking_end_datetime   TEXT NOT NULL,
  day_of_creation        TEXT NOT NULL,
  updated_at             TEXT NOT NULL,
  revision               INTEGER NOT NULL DEFAULT 1,
  CHECK (booking_end_datetime > booking_start_datetime)
);

CREATE INDEX IF NOT EXISTS idx_workpoint_date ON booking (id_work_place, booking_start_datetime);
CREATE INDEX IF NOT EXISTS idx_specialist_date ON booking (id_specialist, booking_start_datetime);

-- The people who can sign in to the demo: the admin, a supervisor per workpoint, each specialist.
CREATE TABLE IF NOT EXISTS demo_user (
  id_user       INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'supervisor', 'specialist')),
  id_work_place INTEGER REFERENCES work_place (id_work_place),
  id_specialist INTEGER REFERENCES specialist (id_specialist)
);

-- Sessions live in the database so that instances sharing the file (on Redis) share sign-ins.
-- Only a hash of the cookie is stored.
CREATE TABLE IF NOT EXISTS session (
  token_hash TEXT PRIMARY KEY,
  id_user    INTEGER NOT NULL REFERENCES demo_user (id_user) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_session_expires ON session (expires_at);

CREATE TABLE IF NOT EXISTS app_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/**
 * Creates the tables when they are missing. Runs inside the caller's transaction.
 *
 * @throws Error when the file holds another schema version
 */
export function migrate(db: Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version !== 0 && version !== SCHEMA_VERSION) {
    throw new Error(`${db.name} has schema version ${version}, this demo expects ${SCHEMA_VERSION}: delete the file (or run \`npm run seed -- --reset\`) to start over`);
  }
  db.exec(DDL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
