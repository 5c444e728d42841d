import BetterSqlite3, { type Database } from "better-sqlite3";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
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
 * @param path - the file, or `:memory:`
 */
export function openDatabase(path: string, options: { readonly today?: string } = {}): OpenedDatabase {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
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

/** The secret the `npm run book` command shows the running demo to publish through it. */
export function publishToken(db: Database): string {
  return (db.prepare("SELECT value FROM app_meta WHERE key = 'publish_token'").get() as { value: string }).value;
}
