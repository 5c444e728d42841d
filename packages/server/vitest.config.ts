import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: { name: "server", environment: "node", include: ["test/**/*.test.ts"],
    // Sentinel and Cluster failovers run in their own project, alone (vitest.topology.config.ts).
    exclude: ["test/topology/**"], testTimeout: 20_000, hookTimeout: 30_000 },
});
