import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "@realtime-bookings/booking-app";

/**
 * The booking app's own folder, found by walking up from this module to its package.json, so the
 * server (`dist/main.js`), the commands (`dist/cli/*.js`) and the tests (`src/…`) agree on it.
 */
export function appRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} folder above ${from}`);
    dir = parent;
  }
}

/** Where the SQLite file lives unless `DATABASE_PATH` says otherwise: `<app>/.data/bookings.sqlite`. */
export const defaultDatabasePath = (): string => join(appRoot(), ".data", "bookings.sqlite");
