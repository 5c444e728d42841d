// Makes a fresh clone ready for `npm start` and `npm test`: installs dependencies when they are
// missing or older than the lockfile, then builds the workspace packages (turbo caches the build).
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const run = (command) => execSync(command, { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });

const marker = "node_modules/.package-lock.json";
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync("package-lock.json").mtimeMs;
if (stale) {
  console.log("[realtime-bookings] installing dependencies (npm ci)…");
  run("npm ci --no-audit --no-fund");
}
run("npx turbo run build --output-logs=errors-only");
