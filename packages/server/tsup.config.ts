import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    index: "src/index.ts",
    "brokers/ioredis": "src/brokers/ioredis.ts",
    "brokers/node-redis": "src/brokers/node-redis.ts",
    // The `realtime-bookings` bin (package.json "bin"); tsup keeps its shebang and makes it executable.
    "cli/main": "src/cli/main.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  external: ["ioredis", "redis"],
});
