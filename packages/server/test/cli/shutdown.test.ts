import { type RedisServer, type SseReader, hasRedisServer, openSse, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CLI, SECRET, bearer, killChildren, startServe, viewerToken } from "./support/cli.js";
import { spawn } from "node:child_process";
import { once } from "node:events";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});
const sse = async (url: string, headers?: Record<string, string>): Promise<SseReader> => {
  const reader = await openSse(url, headers);
  readers.push(reader);
  return reader;
};
const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms))]);

describe("realtime-bookings serve: shutdown", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal} ends every stream gracefully, stops listening and exits 0`, async () => {
      const hub = await startServe(["--secret", SECRET, "--retry-ms", "1000"]);
      const a = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "admin" })));
      const b = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "supervisor", workpoint_id: 1 })));
      // Each stream got its own reconnection delay between retry-ms and twice that.
      for (const reader of [a, b]) expect(reader.retry).toBeGreaterThanOrEqual(1000), expect(reader.retry).toBeLessThan(2000);
      const exit = await hub.stop(signal, 8_000);
      await within(Promise.all([a.ended, b.ended]), 2_000, "the streams to end");
      expect(exit).toEqual({ code: 0, signal: null });
      expect(hub.stdout()).toContain(`realtime-bookings: ${signal}, ending 2 streams`);
      expect(hub.stdout()).toContain("realtime-bookings: stopped");
      await expect(fetch(`${hub.url}/healthz`)).rejects.toThrow();
    });
  }
});

describe.skipIf(!hasRedisServer())("realtime-bookings serve: shutdown with Redis down", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("still exits 0 in bounded time, and a second signal exits at once with 1", async () => {
    const first = await startServe(["--redis", redis.url, "--secret", SECRET]);
    const second = await startServe(["--redis", redis.url, "--secret", SECRET]);
    await redis.stop();
    try {
      const started = Date.now();
      expect(await first.stop("SIGTERM", 8_000)).toEqual({ code: 0, signal: null });
      expect(Date.now() - started).toBeLessThan(5_000);

      second.child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 100));
      expect(await second.stop("SIGTERM", 3_000)).toEqual({ code: 1, signal: null });
      expect(second.stderr()).toContain("second SIGTERM, exiting now");
    } finally {
      await redis.start();
    }
  });

  it("a signal during start-up (waiting for Redis) exits 0 at once", async () => {
    await redis.stop();
    let child: ReturnType<typeof spawn> | undefined;
    try {
      child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--drain-ms", "0", "--redis", redis.url, "--secret", SECRET], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
      const waiting = new Promise<void>((resolve) => {
        let stderr = "";
        child?.stderr?.setEncoding("utf8").on("data", (c: string) => {
          stderr += c;
          if (/reconnecting/.test(stderr)) resolve();
        });
      });
      const exited = once(child, "close");
      await within(waiting, 10_000, "the first failed connection to Redis"); // it is waiting for Redis now
      child.kill("SIGTERM");
      const [code, signal] = (await within(exited, 3_000, "the exit")) as [number | null, NodeJS.Signals | null];
      expect({ code, signal, stdout }).toEqual({ code: 0, signal: null, stdout: "realtime-bookings: SIGTERM during start-up, exiting\n" });
    } finally {
      if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await redis.start();
    }
  });
});
