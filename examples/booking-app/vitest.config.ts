import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "booking-app",
    environment: "node",
    include: ["test/**/*.test.ts"],
    // The browser and multi-process suites start real processes: give them room, bound every wait inside.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
