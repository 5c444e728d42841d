import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { defineConfig } from "tsup";

/** The `<script src>` bundle must stay under this many bytes, minified and gzipped (test/bundle.test.ts enforces it). */
export const IIFE_BUDGET_BYTES = 6 * 1024;
/** The bundle plus the tab-sharing bundle must stay under this many bytes. */
export const SHARED_BUDGET_BYTES = 7.5 * 1024;
/**
 * Properties of internal objects only, renamed by terser in the `<script>` builds. Never add a public
 * name (an option, a getter of the class, an event payload field, an environment member) nor one the
 * tab-sharing bundle uses across the bundle boundary (`lead`, `follow`, `receive`, `changed`, `join`…).
 */
const INTERNAL_PROPERTIES =
  /^(opened|dropped|resume|polled|failures|wake|retryMs|touch|check|poll|dispose|report|delay|update|pollOk|fallback|emitter|state|start|stop|emit|retry|comment|open|url|online|link|event)$/;
const IIFE_FILE = "dist/realtime-bookings.global.js";
const SHARE_FILE = "dist/realtime-bookings-share.global.js";
const gzipped = (file: string): number => gzipSync(readFileSync(file), { level: 9 }).length;

/** The `<script src>` builds: everything bundled, minified with terser. */
const iife = {
  format: ["iife"],
  platform: "browser",
  target: "es2022",
  // terser squeezes ~5% more than esbuild's minifier out of the same code, which the budget needs; `unsafe`
  // (String(x) → ""+x and similar, none of which this code relies on) saves ~10 B more. The Chromium tests run this build.
  minify: "terser",
  // The names of internal interfaces only (link, connection, poller, their hosts; never an option, an
  // event field, an environment member or anything the share bundle calls) are mangled too: ~60 B.
  terserOptions: {
    ecma: 2022,
    compress: { passes: 3, pure_getters: true, unsafe_arrows: true, unsafe: true, hoist_props: false, module: true },
    mangle: { properties: { regex: INTERNAL_PROPERTIES, builtins: true } },
    format: { comments: false },
  },
  sourcemap: true,
  noExternal: [/.*/],
  outExtension: () => ({ js: ".global.js" }),
} as const;

export default defineConfig([
  {
    // Bundlers: ESM and CJS with types; the protocol package stays a dependency.
    entry: { index: "src/index.ts", share: "src/share/index.ts" },
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: ["!realtime-bookings*.global.*"],
    target: "es2022",
  },
  {
    // `<script src>`: one file, everything bundled, one global `RealtimeBookings`.
    ...iife,
    entry: { "realtime-bookings": "src/global.ts" },
    onSuccess: async () => {
      const code = readFileSync(IIFE_FILE);
      // The same script under a .cjs name, for `require("@realtime-bookings/client/global")`: an IIFE
      // runs the same as ES module or CommonJS, but Node and the type checkers pick by the extension.
      writeFileSync(IIFE_FILE.replace(/\.js$/, ".cjs"), code);
      const gzip = gzipSync(code, { level: 9 }).length;
      const verdict = gzip <= IIFE_BUDGET_BYTES ? "within" : "OVER";
      console.log(`[client] ${IIFE_FILE}: ${code.length} B minified, ${gzip} B gzipped (${verdict} the ${IIFE_BUDGET_BYTES} B budget)`);
    },
  },
  {
    // The opt-in tab-sharing `<script src>`, loaded after the first: sets `RealtimeBookings.tabSharing`.
    ...iife,
    entry: { "realtime-bookings-share": "src/share/global.ts" },
    onSuccess: async () => {
      const share = gzipped(SHARE_FILE);
      console.log(`[client] ${SHARE_FILE}: ${share} B gzipped (with the core: budget ${SHARED_BUDGET_BYTES} B)`);
    },
  },
]);
