import BetterSqlite3, { type Database } from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { today } from "../time.js";
import { migrate } from "./schema.js";
import { type SeedSummary, seed } from "./seed.js";

/** An open demo database and what opening it did. */
export interface OpenedDatabase {
  readonly db: Database;
  /** What was seeded, when the file was new. */
  readonly seeded: SeedSummary | undefined;
}

/**
 * Opens (creating its folder, tables and seed data on first use) the demo's SQLite file.
 *
 * WAL mode and a busy timeout let several processes share the file: two instances on Redis, and the
 * `npm run book` command next to a running demo. Creating and seeding happen in one IMMEDIATE
 * transaction, so two instances started together seed once.
 *
 * The file holds every booking's client name and phone and the sessions: a new file is created
 * readable by its owner only (mode 0600, in folders it creates with 0700).
 *
 * @param path - the file, or `:memory:`
 */
export function openDatabase(path: string, options: { readonly today?: string } = {}): OpenedDatabase {
  if (path !== ":memory:") createPrivately(path);
  const db = new BetterSqlite3(path);
  try {
    db.pragma("busy_timeout = 5000");
    if (path !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    const setUp = db.transaction((): SeedSummary | undefined => {
      migrate(db);
      db.prepare("INSERT OR IGNORE INTO app_meta (key, value) VALUES ('publish_token', ?)").run(randomBytes(24).toString("base64url"));
      const empty = (db.prepare("SELECT COUNT(*) AS n FROM work_place").get() as { n: number }).n === 0;
      return empty ? seed(db, options.today ?? today()) : undefined;
    });
    return { db, seeded: setUp.immediate() };
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Creates the folders of `path` that are missing with mode 0700, and the file, if it is missing, with
 * mode 0600, before SQLite opens it (SQLite would create it 0644, and gives its `-wal` and `-shm` files
 * the database file's mode). The modes are set with chmod after creating, so the umask cannot widen
 * or narrow them. A folder or file that already exists is left as it is: the folder may be shared
 * (`/tmp`), and the file's mode is the operator's choice; {@link exposureOf} reports a loose one.
 */
function createPrivately(path: string): void {
  const file = resolve(path);
  const first = mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  if (first !== undefined) {
    for (let dir = dirname(file); ; dir = dirname(dir)) {
      chmodSync(dir, 0o700);
      if (dir === first || dir === dirname(dir)) break;
    }
  }
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return;
    throw error;
  }
  try {
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}

/**
 * A warning when the database file can be read or written by other users of the machine (one
 * created by an older demo, or by hand); `undefined` when it is private or in memory.
 */
export function exposureOf(path: string): string | undefined {
  if (path === ":memory:") return undefined;
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  return `${path} has mode ${mode.toString(8)}: other users can read the clients' names and phones and the sessions. Run chmod 600 on it.`;
}

/** The secret the `npm run book` command shows the running demo to publish through it. */
export function publishToken(db: Database): string {
  return (db.prepare("SELECT value FROM app_meta WHERE key = 'publish_token'").get() as { value: string }).value;
}
