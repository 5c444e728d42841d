// Issue 14: overload answers spread clients out. A `realtime-bookings serve` process is held at its
// connection cap (--max-connections) by raw streams; 1,000 clients of the real SDK (the fetch
// transport, in this Node process) then connect at once. Each is refused with 429 and a jittered
// Retry-After; the SDK waits that long plus up to a second of its own, so the clients come back
// spread over the window instead of all at once.
import { RealtimeBookings, type RealtimeBookingsError } from "@realtime-bookings/client";
import { hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, startServe, viewerToken } from "../../packages/server/test/cli/support/cli.js";
import { recordFigures } from "./support/ledger.js";

const CAP = 50;
const CLIENTS = 1_000;

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await killChildren();
});

/** One SDK client's first two stream requests: when each was sent, and the first refusal. */
interface Trace {
  sent: number[];
  refusal?: RealtimeBookingsError;
  refusedAt?: number;
}

describe.runIf(hasRedisServer())("1,000 clients against a hub at its connection cap", () => {
  it("are refused with 429 and a jittered Retry-After, and the SDK brings them back spread over the window, never sooner", async () => {
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--max-connections", String(CAP)]);
    const streamUrl = `${hub.url}/events`;
    const holders = await Promise.all(Array.from({ length: CAP }, async (_, i) => openSse(streamUrl, bearer(await viewerToken({ role: "admin", sub: `holder-${i}` })))));
    cleanup.push(() => holders.forEach((h) => h.close()));
    expect(holders.map((h) => h.status)).toEqual(Array(CAP).fill(200));

    const traces: Trace[] = Array.from({ length: CLIENTS }, () => ({ sent: [] }));
    const tokens = await Promise.all(traces.map((_, i) => viewerToken({ role: "specialist", specialist_id: 1 + (i % 20), sub: `user-${i}` })));
    const clients = traces.map((trace, i) => {
      const client = new RealtimeBookings({
        streamUrl,
        transport: "fetch",
        token: tokens[i] as string,
        environment: { fetch: (url, init) => (trace.sent.push(Date.now()), fetch(url, init)) },
      });
      client.on("error", (error) => {
        if (trace.refusal) return;
        trace.refusal = error;
        trace.refusedAt = Date.now();
      });
      return client;
    });
    cleanup.push(() => clients.forEach((c) => c.close()));
    const returned = () => traces.every((t) => t.sent.length >= 2);
    for (const t0 = Date.now(); !returned() && Date.now() - t0 < 20_000; ) await sleep(50);

    const first = Math.min(...traces.map((t) => t.refusedAt ?? Infinity));
    const returns = traces.map((t) => (t.sent[1] ?? Number.NaN) - first).sort((a, b) => a - b);
    const buckets = Array.from({ length: 6 }, (_, s) => returns.filter((ms) => ms >= s * 1000 && ms < (s + 1) * 1000).length);
    const retryAfters = traces.map((t) => t.refusal?.retryAfterMs ?? 0);
    const early = traces.filter((t) => (t.sent[1] ?? 0) - (t.refusedAt ?? 0) < (t.refusal?.retryAfterMs ?? 0) - 50).length;
    const quantile = (q: number) => returns[Math.floor(q * (returns.length - 1))] ?? Number.NaN;
    const figures = {
      machine: "2 cores, shared with other test runs",
      cap: CAP,
      clients: CLIENTS,
      refusals: Object.fromEntries([...new Set(traces.map((t) => `${t.refusal?.status} ${t.refusal?.code}`))].map((k) => [k, traces.filter((t) => `${t.refusal?.status} ${t.refusal?.code}` === k).length])),
      retryAfterSeconds: Object.fromEntries([1000, 2000, 3000].map((ms) => [ms / 1000, retryAfters.filter((v) => v === ms).length])),
      returnsPerSecondAfterFirstRefusal: buckets,
      largestSecondShare: Math.max(...buckets) / CLIENTS,
      returnSpreadMs: { p5: quantile(0.05), p50: quantile(0.5), p95: quantile(0.95) },
      earlierThanRetryAfter: early,
    };
    recordFigures("overload", figures);
    expect({ allReturned: returned(), refusals: figures.refusals, early }).toEqual({ allReturned: true, refusals: { "429 http_error": CLIENTS }, early: 0 });
    expect(retryAfters.every((ms) => ms >= 1000 && ms <= 3000)).toBe(true);
    // Spread, not lockstep: no second holds more than 40 % of the returns (a fixed Retry-After puts
    // them all within one second), and the middle 90 % of the returns span more than 2 s.
    expect(figures.largestSecondShare).toBeLessThanOrEqual(0.4);
    expect(figures.returnSpreadMs.p95 - figures.returnSpreadMs.p5).toBeGreaterThan(2_000);
  }, 120_000);
});
