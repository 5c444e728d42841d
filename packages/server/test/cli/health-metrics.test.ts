import { PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, until, viewerToken } from "./support/cli.js";

const available = hasRedisServer();
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
const health = async (url: string) => {
  const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe.skipIf(!available)("realtime-bookings serve: /healthz and /metrics", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("reports 200 while Redis answers, 503 while it is stopped, and 200 again once it is back", async () => {
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", "health"]);
    expect(await health(hub.url)).toEqual({
      status: 200,
      body: { ok: true, broker: "ioredis", brokerReachable: true, subscribed: true, draining: false, connections: 0, uptimeSeconds: expect.any(Number) },
    });
    await redis.stop();
    try {
      await until(async () => (await health(hub.url)).status === 503, 8_000, "/healthz to answer 503");
      expect((await health(hub.url)).body).toMatchObject({ ok: false, brokerReachable: false, subscribed: false });
      const version = await fetch(`${hub.url}/version`, { headers: bearer(await viewerToken({ role: "admin" })), signal: AbortSignal.timeout(5_000) });
      expect([version.status, ((await version.json()) as { error: string }).error]).toEqual([503, "broker_unavailable"]);
      expect(hub.stderr()).toContain(`Redis at ${redis.url} failed`);
    } finally {
      await redis.start();
    }
    await until(async () => (await health(hub.url)).status === 200, 10_000, "/healthz to answer 200 again");
    expect(hub.stderr().split("\n").filter((line) => line.includes("failed: ")).length).toBe(1); // one line per outage
  });

  it("starts while Redis is down, answers 503, then subscribes and delivers once Redis comes up", async () => {
    await redis.stop();
    let hub;
    try {
      hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", "late"], { timeoutMs: 15_000 });
      expect(hub.stderr()).toContain("is not reachable yet; serving 503 until it is");
      expect((await health(hub.url)).status).toBe(503);
    } finally {
      await redis.start();
    }
    await until(async () => (await health(hub.url)).status === 200, 10_000, "/healthz to answer 200 once Redis is up");
    const reader = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    const published = await runCli(["publish", "--redis", redis.url, "--key-prefix", "late", "--type", "create", "--id", "1", "--specialist", "3", "--workpoint", "1"]);
    expect(published.code).toBe(0);
    await reader.waitForEvents(1);
    expect(reader.events[0]?.id).toBe(published.stdout.trim());
  });

  it("counts what happened, as JSON and in Prometheus text format", async () => {
    const prefix = "metrics";
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix]);
    const spec3 = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "supervisor", workpoint_id: 1 })));
    const slow = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "admin" })));
    await sse(`${hub.url}/events`, { Authorization: "Bearer nope" });

    const client = new Redis(redis.url);
    try {
      const keys = redisKeys({ prefix });
      const publish = (id: number, specialist: number, workpoint: number, extra: Record<string, unknown> = {}) =>
        client.eval(
          PUBLISH_SCRIPT,
          4,
          keys.history,
          keys.globalVersion,
          keys.workpointVersion(String(workpoint) as never),
          keys.specialistVersion(String(specialist) as never),
          keys.channel,
          "1000",
          JSON.stringify({ type: "create", data: { id, specialist_id: specialist, workpoint_id: workpoint, ...extra } }),
        );
      await publish(1, 3, 1);
      await publish(2, 3, 1);
      await publish(3, 4, 2);
      await client.publish(keys.channel, "not json");
      await spec3.waitForEvents(2);
      await slow.waitForEvents(3);
      // Deliveries so far: events 1 and 2 to spec3, sup1, admin (6), event 3 to admin (1).
      const before = (await (await fetch(`${hub.url}/metrics`, { headers: { Accept: "application/json" } })).json()) as Record<string, unknown>;
      expect(before).toEqual({
        connections: { admin: 1, supervisor: 1, specialist: 1 },
        brokerUp: true,
        eventsReceived: 3,
        eventsRecovered: 0,
        eventsDelivered: 7,
        eventsDropped: 0,
        messagesRejected: 1,
        slowReadersDropped: 0,
        replays: 0,
        resyncs: 0,
        connectionsRefused: 0,
        published: 0,
        publishesRefused: 0,
        reauths: 0,
        streamsDrained: 0,
        // Issue 14: tickets issued and refused by reason.
        ticketsIssued: 0,
        ticketsRefused: { ticket_unknown: 0, ticket_used: 0, ticket_expired: 0, ticket_viewer_mismatch: 0, ticket_scope: 0, too_many_tickets: 0, tickets_unsupported: 0, query_token_refused: 0 },
        publishesRefusedBy: { credentials: 0, publish_forbidden: 0, publish_not_configured: 0, method_not_allowed: 0, unsupported_media_type: 0, too_large: 0, body_timeout: 0, invalid_event: 0, invalid_idempotency_key: 0, idempotency_key_reused: 0, other: 0 },
        draining: false,
        oldestBacklogMs: expect.any(Number),
        deliveryLag: expect.objectContaining({ count: 3 }),
        tokenFailures: { token_missing: 0, token_invalid: 1, token_algorithm: 0, token_signature: 0, token_expired: 0, token_not_yet_valid: 0, token_claims: 0 },
        uptimeSeconds: expect.any(Number),
      });

      // The admin stops reading; large events pile up until the hub drops it.
      slow.pause();
      const pad = "x".repeat(60_000);
      for (let i = 0; i < 300; i++) {
        await publish(100 + i, 4, 2, { pad });
        if (i % 20 === 19) {
          const stats = (await (await fetch(`${hub.url}/metrics?format=json`)).json()) as { slowReadersDropped: number };
          if (stats.slowReadersDropped > 0) break;
        }
      }
      await until(async () => ((await (await fetch(`${hub.url}/metrics?format=json`)).json()) as { slowReadersDropped: number }).slowReadersDropped === 1, 5_000, "the slow reader to be dropped");
    } finally {
      await client.quit();
    }
    await sleep(100);
    const text = await (await fetch(`${hub.url}/metrics`)).text();
    const lines = new Set(text.split("\n"));
    for (const line of [
      "# TYPE realtime_bookings_connections gauge",
      'realtime_bookings_connections{role="admin"} 0',
      'realtime_bookings_connections{role="supervisor"} 1',
      'realtime_bookings_connections{role="specialist"} 1',
      "realtime_bookings_broker_up 1",
      "# TYPE realtime_bookings_events_received_total counter",
      "realtime_bookings_messages_rejected_total 1",
      "realtime_bookings_slow_readers_dropped_total 1",
      'realtime_bookings_token_failures_total{reason="token_invalid"} 1',
    ]) {
      expect(lines.has(line) ? line : text).toBe(line);
    }
    const value = (name: string) => Number(/^(\S+) (\S+)$/m.exec(text.split("\n").find((l) => l.startsWith(`${name} `)) ?? "")?.[2]);
    expect(value("realtime_bookings_events_received_total")).toBeGreaterThan(3);
    expect(value("realtime_bookings_events_delivered_total")).toBeGreaterThan(7);
  });

  it("requires the metrics token when one is set", async () => {
    const hub = await startServe(["--secret", SECRET], { env: { REALTIME_BOOKINGS_METRICS_TOKEN: "scrape-me" } });
    expect((await fetch(`${hub.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${hub.url}/metrics`, { headers: bearer("wrong") })).status).toBe(401);
    const ok = await fetch(`${hub.url}/metrics`, { headers: bearer("scrape-me") });
    expect([ok.status, ok.headers.get("content-type")]).toEqual([200, "text/plain; version=0.0.4; charset=utf-8"]);
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200); // health stays open for load balancers
  });
});
