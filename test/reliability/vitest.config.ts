import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "reliability", environment: "node", include: ["**/*.test.ts"], testTimeout: 120_000, hookTimeout: 60_000 },
});
