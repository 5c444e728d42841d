import { defineProject } from "vitest/config";
import { sourceAliases } from "../../vitest.shared.js";

export default defineProject({
  resolve: { alias: sourceAliases },
  // The suites start redis-server, the hub CLI, php -S and Chromium: give them room, and bound every wait inside.
  test: { name: "example-php", globalSetup: ["test/composer-install.ts"], environment: "node", include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
});
