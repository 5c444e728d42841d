import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Globs may match nothing yet; a plain path must exist, so bench is listed only once it does.
    projects: ["packages/*/vitest.config.ts", "packages/server/vitest.topology.config.ts", "examples/*/vitest.config.ts", "test/*/vitest.config.ts", ...(existsSync("bench/vitest.config.ts") ? ["bench/vitest.config.ts"] : [])],
  },
});
