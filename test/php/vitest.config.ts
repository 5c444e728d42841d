import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  // PHPUnit runs against a redis-server and the hub CLI this project starts: give it room; every wait inside is bounded.
  test: { name: "php", environment: "node", include: ["**/*.test.ts"], testTimeout: 180_000, hookTimeout: 60_000 },
});
