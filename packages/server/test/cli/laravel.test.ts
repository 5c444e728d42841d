// `serve --laravel-channels`, end to end: the built CLI, a real redis-server, and messages published by
// a real `php` process with phpredis exactly as Laravel's RedisBroadcaster builds them (laravel/framework,
// src/Illuminate/Broadcasting/Broadcasters/RedisBroadcaster.php; see ../support/laravel-broadcast.php).
import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasPhpRedis, laravelBroadcast } from "../support/laravel.js";
import { SECRET, bearer, killChildren, runCli, startServe, until, viewerToken } from "./support/cli.js";

const available = hasRedisServer() && hasPhpRedis();
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
const payloads = (reader: SseReader) => reader.events.map((e) => ({ event: e.event, id: e.id, data: JSON.parse(e.data) as unknown }));

describe.runIf(available)("realtime-bookings serve --laravel-channels", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  /** Broadcasts a probe until the hub has subscribed (it shows in the rejected count of /metrics). */
  async function subscribed(url: string, prefix: string): Promise<void> {
    await until(
      async () => {
        await laravelBroadcast(redis.port, "raw", prefix, ["bookings.probe"], "probe", "probe");
        const metrics = (await (await fetch(`${url}/metrics?format=json`)).json()) as { messagesRejected: number };
        return metrics.messagesRejected > 0;
      },
      10_000,
      "the hub subscribed to Laravel's channels",
    );
  }

  for (const via of ["flag", "env"] as const) {
    it(`a Laravel broadcast reaches the viewers of its scope only (pattern by ${via})`, async () => {
      const pattern = "laravel_database_*bookings*";
      const hub = await startServe(
        ["--redis", redis.url, "--secret", SECRET, ...(via === "flag" ? ["--laravel-channels", pattern] : [])],
        via === "env" ? { env: { REALTIME_BOOKINGS_LARAVEL_CHANNELS: pattern } } : {},
      );
      expect(hub.stdout()).toContain(`Laravel broadcasts on ${pattern}`);
      await subscribed(hub.url, "laravel_database_");
      const spec3 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
      const spec4 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 4 })));
      await laravelBroadcast(redis.port, "eval", "laravel_database_", ["private-bookings.3", "private-bookings.workpoint.1"], "App\\Events\\BookingChanged", {
        type: "create",
        id: 42,
        specialist_id: 3,
        workpoint_id: 1,
        socket: "1234.5678",
      });
      await laravelBroadcast(redis.port, "eval", "laravel_database_", ["private-bookings.4"], "App\\Events\\BookingChanged", { type: "delete", id: 43, specialist_id: 4, workpoint_id: 2 });
      await Promise.all([spec3.waitForEvents(1), spec4.waitForEvents(1)]);
      await sleep(100);
      expect(payloads(spec3)).toEqual([{ event: "booking", id: undefined, data: { type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1 }, origin: "1234.5678" } }]);
      expect(payloads(spec4)).toEqual([{ event: "booking", id: undefined, data: { type: "delete", data: { id: 43, specialist_id: 4, workpoint_id: 2 } } }]);
      expect(await hub.stop()).toEqual({ code: 0, signal: null });
    });
  }

  it("refuses --laravel-channels without --redis, and a pattern with spaces, before anything listens", async () => {
    const noRedis = await runCli(["serve", "--secret", SECRET, "--laravel-channels", "laravel_database_*bookings*"]);
    expect({ code: noRedis.code, stderr: noRedis.stderr.trim() }).toEqual({
      code: 2,
      stderr: expect.stringContaining("--laravel-channels needs --redis (or REDIS_URL): the Redis your Laravel app broadcasts to"),
    });
    const spaces = await runCli(["serve", "--secret", SECRET, "--redis", redis.url, "--laravel-channels", "laravel bookings*"]);
    expect({ code: spaces.code, stderr: spaces.stderr.trim() }).toEqual({
      code: 2,
      stderr: expect.stringContaining('--laravel-channels must be a Redis channel pattern of 1 to 256 printable characters without spaces, such as "laravel_database_*bookings*", got "laravel bookings*"'),
    });
  });
});
