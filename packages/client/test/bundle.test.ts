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
/** Minified and gzipped, the `<script>` bundle must stay under 6 KB (issue 3). */
const BUDGET = 6 * 1024;

const newest = (dir: string): number =>
  Math.max(...readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs)));

beforeAll(() => {
  // `npm test` builds every workspace first; a bare `vitest run` may find dist/ missing or older than src/.
  const files = ["index.js", "index.cjs", "index.d.ts", "realtime-bookings.global.js"].map((f) => join(DIST, f));
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
  const context = vm.createContext({ setTimeout, clearTimeout, queueMicrotask, AbortController, TextDecoder, URL, EventSource: FakeEventSource });
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

test("the CJS build requires in Node", () => {
  const cjs = createRequire(import.meta.url)(join(DIST, "index.cjs")) as Record<string, unknown>;
  expect(Object.keys(cjs).sort()).toEqual(Object.keys(source).sort());
});

test("package.json is a contract: types first in exports, no side effects, files, engines", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as Record<string, unknown>;
  const root = (pkg["exports"] as Record<string, Record<string, Record<string, string>>>)["."] ?? {};
  expect(Object.keys(root["import"] ?? {})).toEqual(["types", "default"]);
  expect(Object.keys(root["require"] ?? {})).toEqual(["types", "default"]);
  expect(pkg["sideEffects"]).toBe(false);
  expect(pkg["files"]).toEqual(["dist", "global.d.ts", "global.d.cts", "README.md", "LICENSE"]);
  expect(pkg["engines"]).toEqual({ node: ">=20" });
  for (const file of [pkg["main"], pkg["module"], pkg["types"], pkg["unpkg"], root["import"]?.["types"], root["require"]?.["types"]]) {
    expect(existsSync(join(ROOT, file as string))).toBe(true);
  }
});
