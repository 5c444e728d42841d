import { defineProject } from "vitest/config";
import { sourceAliases } from "../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "bench", environment: "node", include: ["test/**/*.test.ts"], testTimeout: 180_000, hookTimeout: 180_000 },
});
