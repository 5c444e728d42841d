import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "example-node-http", environment: "node", include: ["test/**/*.test.ts"], testTimeout: 20_000 },
});
