// The published files: the <script> bundle's size budget and global, and the ESM/CJS builds
// importing cleanly in Node (no window, no document).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as vm from "node:vm";
import { gzipSync } from "node:zlib";
import { beforeAll, expect, test } from "vitest";
import * as source from "../src/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIST = join(ROOT, "dist");
const IIFE = join(DIST, "realtime-bookings.global.js");
const SHARE_IIFE = join(DIST, "realtime-bookings-share.global.js");
/** Minified and gzipped, the `<script>` bundle must stay under 6 KB (issue 3). */
const BUDGET = 6 * 1024;
/** With the opt-in tab-sharing bundle, both together must stay under 7.5 KB (issue 15). */
const SHARED_BUDGET = 7.5 * 1024;

const newest = (dir: string): number =>
  Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));

beforeAll(() => {
  // `npm test` builds every workspace first; a bare `vitest run` may find dist/ missing or older than src/.
  const files = ["index.js", "index.cjs", "index.d.ts", "share.js", "share.cjs", "realtime-bookings.global.js", "realtime-bookings-share.global.js"].map((f) =>
    join(DIST, f),
  );
  if (files.some((f) => !existsSync(f)) || newest(join(ROOT, "src")) > Math.min(...files.map((f) => statSync(f).mtimeMs))) {
    execFileSync("npx", ["--no-install", "tsup"], { cwd: ROOT, stdio: "pipe" });
  }
}, 120_000);

test(`the <script> bundle is under ${BUDGET} bytes minified and gzipped`, () => {
  const code = readFileSync(IIFE);
  const gzipped = gzipSync(code).length;
  console.log(`[client] realtime-bookings.global.js: ${code.length} B minified, ${gzipped} B gzipped (budget ${BUDGET} B)`);
  expect(gzipped).toBeLessThanOrEqual(BUDGET);
});

test(`the <script> bundle plus the tab-sharing bundle is under ${SHARED_BUDGET} bytes minified and gzipped`, () => {
  const core = gzipSync(readFileSync(IIFE)).length;
  const share = gzipSync(readFileSync(SHARE_IIFE)).length;
  console.log(`[client] realtime-bookings-share.global.js: ${share} B gzipped; with the core ${core + share} B (budget ${SHARED_BUDGET} B)`);
  expect(core + share).toBeLessThanOrEqual(SHARED_BUDGET);
});

test("the tab-sharing <script> bundle adds no global: it sets RealtimeBookings.tabSharing", () => {
  const context = vm.createContext({ setTimeout, clearTimeout, queueMicrotask, AbortController, TextDecoder, URL });
  vm.runInContext(readFileSync(IIFE, "utf8"), context);
  const before = new Set(Object.keys(context));
  vm.runInContext(readFileSync(SHARE_IIFE, "utf8"), context);
  expect(Object.keys(context).filter((key) => !before.has(key))).toEqual([]);
  expect(typeof context["RealtimeBookings"].tabSharing).toBe("function");
});

test("the <script> bundle defines exactly one global, the RealtimeBookings constructor, with its helpers", () => {
  const code = readFileSync(IIFE, "utf8");
  expect(code).not.toMatch(/\brequire\(|\bprocess\./);
  const opened: string[] = [];
  class FakeEventSource {
    constructor(url: string) {
      opened.push(url);
    }
    addEventListener(): void {}
    close(): void {}
  }
  // What every browser the bundle targets has (crypto.getRandomValues makes the clientId).
  const context = vm.createContext({ setTimeout, clearTimeout, queueMicrotask, AbortController, TextDecoder, URL, crypto, EventSource: FakeEventSource });
  const before = new Set(Object.keys(context));
  vm.runInContext(code, context);
  expect(Object.keys(context).filter((key) => !before.has(key))).toEqual(["RealtimeBookings"]);
  const RealtimeBookings = context["RealtimeBookings"];
  expect(typeof RealtimeBookings).toBe("function");
  expect(typeof RealtimeBookings.mountStatusButton).toBe("function");
  expect(typeof RealtimeBookings.RealtimeBookingsError).toBe("function");

  const client = new RealtimeBookings({ streamUrl: "/api/bookings/events" });
  expect(client.status).toBe("connecting");
  expect(client.transport).toBe("eventsource");
  return new Promise<void>((resolve) =>
    setTimeout(() => {
      expect(opened).toEqual(["/api/bookings/events"]);
      client.close();
      expect(client.closed).toBe(true);
      resolve();
    }, 10),
  );
});

test("the ESM build imports in Node (no window) and exports what src/index.ts names", async () => {
  const esm = (await import(pathToFileURL(join(DIST, "index.js")).href)) as Record<string, unknown>;
  expect(Object.keys(esm).sort()).toEqual(Object.keys(source).sort());
  const env = (esm["browserEnvironment"] as () => Record<string, unknown>)();
  expect(env["onlineTarget"]).toBeUndefined();
  expect(env["visibilityTarget"]).toBeUndefined();
});

test("the share entry imports in Node (ESM and CJS) and exports tabSharing", async () => {
  const esm = (await import(pathToFileURL(join(DIST, "share.js")).href)) as Record<string, unknown>;
  const cjs = createRequire(import.meta.url)(join(DIST, "share.cjs")) as Record<string, unknown>;
  expect([Object.keys(esm), Object.keys(cjs)]).toEqual([["tabSharing"], ["tabSharing"]]);
});

test("the CJS build requires in Node", () => {
  const cjs = createRequire(import.meta.url)(join(DIST, "index.cjs")) as Record<string, unknown>;
  expect(Object.keys(cjs).sort()).toEqual(Object.keys(source).sort());
});

test("package.json is a contract: types first in exports, no side effects, files, engines", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  const exports = pkg["exports"] as Record<string, Record<string, Record<string, string>>>;
  const root = exports["."] ?? {};
  for (const entry of [root, exports["./share"] ?? {}]) {
    expect(Object.keys(entry["import"] ?? {})).toEqual(["types", "default"]);
    expect(Object.keys(entry["require"] ?? {})).toEqual(["types", "default"]);
    for (const file of [entry["import"]?.["types"], entry["import"]?.["default"], entry["require"]?.["types"], entry["require"]?.["default"]]) {
      expect(existsSync(join(ROOT, file as string))).toBe(true);
    }
  }
  expect(pkg["sideEffects"]).toBe(false);
  expect(pkg["files"]).toEqual(["dist", "global.d.ts", "global.d.cts", "README.md", "LICENSE"]);
  expect(pkg["engines"]).toEqual({ node: ">=20" });
  for (const file of [pkg["main"], pkg["module"], pkg["types"], pkg["unpkg"], root["import"]?.["types"], root["require"]?.["types"]]) {
    expect(existsSync(join(ROOT, file as string))).toBe(true);
  }
});
