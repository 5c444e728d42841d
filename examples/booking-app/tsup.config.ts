import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The server and the terminal commands.
    entry: { main: "src/main.ts", "cli/book": "src/cli/book.ts", "cli/seed": "src/cli/seed.ts" },
    format: ["esm"],
    platform: "node",
    target: "node20",
    sourcemap: true,
    clean: ["!public/**"],
    external: ["better-sqlite3", "ioredis", /^@realtime-bookings\//],
  },
  {
    // The page's script, served at /assets/app.js next to the SDK's <script> bundle.
    entry: { app: "src/browser/app.ts" },
    outDir: "dist/public",
    clean: true,
    format: ["iife"],
    platform: "browser",
    target: "es2022",
    sourcemap: true,
    minify: false,
    outExtension: () => ({ js: ".js" }),
  },
]);
