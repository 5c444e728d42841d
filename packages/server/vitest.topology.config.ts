import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

/**
 * The Redis Sentinel and Cluster suites: real master/replica/sentinel sets and a 6-node cluster,
 * killed and failed over mid-stream. They run after every other project (a later group), alone on the
 * machine: their failover timings are about Redis, not about how busy the other suites keep the CPU.
 */
export default defineProject({
  resolve: { alias: sourceAliases },
  test: {
    name: "server-topology",
    environment: "node",
    include: ["test/topology/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    sequence: { groupOrder: 1 },
  },
});
