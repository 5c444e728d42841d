import { type RedisServer, type SseReader, freePort, hasRedisServer, openSse, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, startServe, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});

describe("realtime-bookings serve: SIGTERM exits 0 whatever Redis does", () => {
  it("with --redis at a port where nothing listens (it never connected)", async () => {
    const port = await freePort();
    const hub = await startServe(["--redis", `redis://127.0.0.1:${port}`, "--secret", SECRET, "--shutdown-timeout-ms", "1000"]);
    expect(hub.stderr()).toContain("is not reachable yet; serving 503 until it is");
    // The stop() deadline is the shutdown timeout plus the CLI's margin; before the fix it waited ~606 s.
    expect(await hub.stop("SIGTERM", 6_000)).toEqual({ code: 0, signal: null });
    expect(hub.stdout()).toContain("realtime-bookings: stopped");
  });

  describe.skipIf(!hasRedisServer())("with a Redis that stops answering (SIGSTOP)", () => {
    let redis: RedisServer;
    let pid = 0;
    beforeAll(async () => {
      redis = await startRedisServer();
      pid = Number(/process_id:(\d+)/.exec(await redis.cli("INFO", "server"))?.[1]);
    });
    afterAll(async () => {
      if (pid) process.kill(pid, "SIGCONT");
      await redis?.stop();
    });

    it("ends the open stream and exits 0 within the shutdown timeout", async () => {
      const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--shutdown-timeout-ms", "1000"]);
      const reader = await openSse(`${hub.url}/events`, bearer(await viewerToken({ role: "admin" })));
      readers.push(reader);
      expect(reader.status).toBe(200);
      process.kill(pid, "SIGSTOP");
      try {
        expect(await hub.stop("SIGTERM", 6_000)).toEqual({ code: 0, signal: null });
        await reader.ended;
      } finally {
        process.kill(pid, "SIGCONT");
      }
    });
  });
});
