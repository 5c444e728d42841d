import { fileURLToPath } from "node:url";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Tests import the workspace packages from their TypeScript sources, so a test run never
 * depends on a stale `dist/`. Child processes (CLI, examples) still run the built files.
 */
export const sourceAliases = [
  { find: /^@realtime-bookings\/protocol$/, replacement: here("./packages/protocol/src/index.ts") },
  { find: /^@realtime-bookings\/server$/, replacement: here("./packages/server/src/index.ts") },
  { find: /^@realtime-bookings\/server\/ioredis$/, replacement: here("./packages/server/src/brokers/ioredis.ts") },
  { find: /^@realtime-bookings\/server\/node-redis$/, replacement: here("./packages/server/src/brokers/node-redis.ts") },
  { find: /^@realtime-bookings\/client$/, replacement: here("./packages/client/src/index.ts") },
  { find: /^@realtime-bookings\/test-utils$/, replacement: here("./packages/test-utils/src/index.ts") },
];
