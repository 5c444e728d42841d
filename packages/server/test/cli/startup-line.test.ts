// The start-up line names the Redis the hub really uses: a Sentinel set or a Cluster is not "in-memory".
import { describe, expect, it } from "vitest";
import { startupLine } from "../../src/cli/serve.js";
import { resolveServeConfig } from "../../src/cli/serve-config.js";
import { SERVE } from "../../src/cli/spec-serve.js";
import { parseCommand } from "../../src/cli/spec.js";

const lineFor = (...args: string[]) =>
  startupLine(resolveServeConfig(parseCommand(SERVE, ["--secret", "0123456789abcdef0123456789abcdef", ...args]), {}), "http://127.0.0.1:8080");

describe("the start-up line", () => {
  it("names a Sentinel set with its master, and the keys and channel", () => {
    const line = lineFor("--sentinel", "127.0.0.1:26379,127.0.0.1:26380", "--sentinel-master", "bookings");
    expect(line).toContain("broker: sentinel 127.0.0.1:26379,127.0.0.1:26380 master bookings, channel bookings:updates, keys bookings:*;");
    expect(line).not.toContain("in-memory");
  });

  it("names a Cluster with the hash-tagged keys", () => {
    const line = lineFor("--cluster", "127.0.0.1:7000,127.0.0.1:7001");
    expect(line).toContain("broker: cluster 127.0.0.1:7000,127.0.0.1:7001, channel {bookings}:updates, keys {bookings}:*;");
  });

  it("says in-memory only without any Redis", () => {
    expect(lineFor()).toContain("broker: in-memory (this process only");
  });
});
