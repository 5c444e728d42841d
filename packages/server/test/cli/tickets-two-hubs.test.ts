import { type RedisServer, type SseReader, hasRedisServer, openSse, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});

const refusal = async (url: string) => {
  const response = await fetch(url);
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
};

describe.skipIf(!hasRedisServer())("realtime-bookings serve: tickets across hub processes on one Redis", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("a ticket minted by hub A opens a stream on hub B once; a second use on either hub is refused as used", async () => {
    const prefix = `two${process.pid}`;
    const [a, b] = await Promise.all([0, 1].map(() => startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", prefix])));
    if (!a || !b) throw new Error("two hubs did not start");
    const minted = await fetch(`${a.url}/ticket`, { method: "POST", headers: bearer(await viewerToken({ role: "specialist", specialist_id: 3 })) });
    const { ticket } = (await minted.json()) as { ticket: string };
    const reader = await openSse(`${b.url}/events?ticket=${ticket}`);
    readers.push(reader);
    expect(reader.status).toBe(200);
    expect(await refusal(`${b.url}/events?ticket=${ticket}`)).toEqual({ status: 401, error: "ticket_used" });
    expect(await refusal(`${a.url}/events?ticket=${ticket}`)).toEqual({ status: 401, error: "ticket_used" });
    // The viewer's events reach the stream opened on B.
    const published = await runCli(["publish", "--redis", redis.url, "--key-prefix", prefix, "--type", "create", "--id", "7", "--specialist", "3", "--workpoint", "1"]);
    expect(published.code).toBe(0);
    const [event] = await reader.waitForEvents(1);
    expect(JSON.parse(event?.data ?? "null")).toEqual({ type: "create", data: { id: 7, specialist_id: 3, workpoint_id: 1 } });
    // Both hubs count what they did.
    const metricsOf = async (url: string) => (await (await fetch(`${url}/metrics`)).text()).split("\n").filter((l) => /^realtime_bookings_tickets_(issued_total|refused_total\{reason="ticket_used"\})/.test(l));
    expect(await metricsOf(a.url)).toEqual(["realtime_bookings_tickets_issued_total 1", 'realtime_bookings_tickets_refused_total{reason="ticket_used"} 1']);
    expect(await metricsOf(b.url)).toEqual(["realtime_bookings_tickets_issued_total 0", 'realtime_bookings_tickets_refused_total{reason="ticket_used"} 1']);
  });

  it("refuses ?token= by default and accepts it with --allow-query-token; both flags at once are a usage error", async () => {
    const token = await viewerToken({ role: "admin" });
    const strict = await startServe(["--secret", SECRET]);
    expect(await refusal(`${strict.url}/events?token=${token}`)).toEqual({ status: 401, error: "query_token_refused" });
    const both = await runCli(["serve", "--secret", SECRET, "--allow-query-token", "--no-query-token"]);
    expect({ code: both.code, stderr: both.stderr }).toEqual({ code: 2, stderr: expect.stringContaining("contradict") });
  });
});
