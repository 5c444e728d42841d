import { rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { openDatabase } from "../db/open.js";
import { defaultDatabasePath } from "../paths.js";

/**
 * `npm run seed [-- --reset]`: creates and seeds the database if it is missing (the demo does that
 * on first start anyway); `--reset` deletes it first, for fresh bookings around today. Stop the demo
 * before resetting.
 */
const { values } = parseArgs({ options: { reset: { type: "boolean" }, database: { type: "string" } } });
const path = values.database ?? (process.env["DATABASE_PATH"] || defaultDatabasePath());
if (values.reset) for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
const { db, seeded } = openDatabase(path);
const count = (db.prepare("SELECT COUNT(*) AS n FROM booking").get() as { n: number }).n;
db.close();
console.log(
  seeded
    ? `seeded ${path}: ${seeded.workpoints} workpoints, ${seeded.specialists} specialists, ${seeded.bookings} bookings from ${seeded.from} to ${seeded.to}`
    : `${path} already exists with ${count} bookings (pass --reset to start over)`,
);
