import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createBookingApp } from "../src/app.js";
import { configFromEnv } from "../src/config.js";
import { openDatabase } from "../src/db/open.js";

// The SQLite file holds clients' names and phones and the session table: other users of the machine
// must not read it. These tests look at the real mode bits on disk.
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "booking-app-modes-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the demo's SQLite file", () => {
  for (const umask of [0o000, 0o022, 0o077]) {
    it(`is created 0600 (with its -wal and -shm) in folders created 0700, under umask ${umask.toString(8).padStart(3, "0")}`, () => {
      const path = join(dir, "new", "nested", "bookings.sqlite");
      const previous = process.umask(umask);
      let db;
      try {
        db = openDatabase(path, { today: "2030-01-07" }).db;
      } finally {
        process.umask(previous);
      }
      try {
        db.prepare("INSERT INTO app_meta (key, value) VALUES ('probe', '1')").run();
        expect([path, `${path}-wal`, `${path}-shm`].map(mode)).toEqual(["600", "600", "600"]);
        expect([join(dir, "new"), join(dir, "new", "nested")].map(mode)).toEqual(["700", "700"]);
      } finally {
        db.close();
      }
    });
  }

  it("leaves a folder that already exists as it was (it may be shared, like /tmp)", () => {
    const shared = join(dir, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o755);
    openDatabase(join(shared, "bookings.sqlite"), { today: "2030-01-07" }).db.close();
    expect([mode(shared), mode(join(shared, "bookings.sqlite"))]).toEqual(["755", "600"]);
  });

  it("is reported when an existing file is readable by other users, and not when it is private", async () => {
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (m: string) => warnings.push(m), error: () => {} };
    const path = join(dir, "old.sqlite");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    const loose = await createBookingApp(configFromEnv({ DATABASE_PATH: path }), logger);
    await loose.close();
    expect(warnings).toEqual([`[booking-app] ${path} has mode 644: other users can read the clients' names and phones and the sessions. Run chmod 600 on it.`]);
    expect(mode(path)).toBe("644");

    chmodSync(path, 0o600);
    const tight = await createBookingApp(configFromEnv({ DATABASE_PATH: path }), logger);
    await tight.close();
    expect(warnings).toHaveLength(1);
  });
});
