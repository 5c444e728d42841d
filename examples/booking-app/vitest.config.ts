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
    // Run after the other projects, not beside them: the browser suite asserts sub-second delivery
    // on a 2-core machine, and five Chromium pages next to every other suite would be measuring CPU.
    sequence: { groupOrder: 1 },
  },
});
