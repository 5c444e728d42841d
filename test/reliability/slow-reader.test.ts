import { type EventScope } from "@realtime-bookings/protocol";
import { type RedisServer, hasRedisServer, openSse, resumingReader, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { startHubProcess } from "./support/hub-process.js";
import { checkLedger, recordFigures, scopeOf, totals } from "./support/ledger.js";
import { DirectPublisher } from "./support/publisher.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe.runIf(hasRedisServer())("a slow reader", () => {
  it("is dropped past its buffer cap while memory stays bounded and others keep up; it catches up by resume", async () => {
    const redis: RedisServer = await startRedisServer();
    cleanup.push(() => redis.stop());
    const hub = await startHubProcess(["--redis", redis.url, "--prefix", "slow", "--max-buffered", "262144"]);
    cleanup.push(() => hub.kill());
    const others = Array.from({ length: 5 }, () => resumingReader([hub.streamUrl("admin")]));
    cleanup.push(() => others.forEach((r) => r.stop()));
    await Promise.all(others.map((r) => r.live()));
    const slow = await openSse(hub.streamUrl("admin"));
    cleanup.push(() => slow.close());
    slow.pause();
    const before = await hub.stats();

    const publisher = new DirectPublisher(redis.url, "slow");
    cleanup.push(() => publisher.close());
    await publisher.ready();
    const pad = "x".repeat(20_000);
    const published: Array<{ seq: number; scope: EventScope }> = [];
    const total = 800; // 16 MB of events; the slow reader may hold at most 256 KiB of it
    for (let seq = 1; seq <= total; seq++) {
      const event = { type: "create" as const, data: { id: seq, specialist_id: 1, workpoint_id: 1, seq, pad } };
      await publisher.publish(seq, event);
      published.push({ seq, scope: scopeOf(event) });
      if (seq % 50 === 0) await sleep(5);
    }
    for (const t0 = Date.now(); others.some((r) => r.entries.length < total) && Date.now() - t0 < 20_000; ) await sleep(50);
    const after = await hub.stats();

    // The slow one reads again: it drains what reached it, sees the end, and resumes by id.
    slow.resume();
    await slow.ended;
    const lastId = slow.events.at(-1)?.id;
    const resumed = await openSse(hub.streamUrl("admin"), lastId ? { "Last-Event-ID": lastId } : {});
    cleanup.push(() => resumed.close());
    const missing = total - slow.events.length;
    await resumed.waitForEvents(missing, 20_000);
    const slowLedger = checkLedger(
      [...slow.events, ...resumed.events].map((e) => ({ kind: "booking" as const, id: e.id, data: e.data, at: 0 })),
      published.map((p) => p.seq),
    );
    const othersTotal = totals(others.map((r) => checkLedger(r.entries, published.map((p) => p.seq))));
    const heapGrowthMb = (after.heapUsed - before.heapUsed) / 2 ** 20;
    recordFigures("slow-reader", {
      published: total,
      publishedMb: Math.round((total * pad.length) / 2 ** 20),
      slowReadersDropped: after.stats.slowReadersDropped,
      heapGrowthMbAfterGc: Number(heapGrowthMb.toFixed(2)),
      rssMb: Math.round(after.rss / 2 ** 20),
      slowReceivedBeforeDrop: slow.events.length,
      slowAfterResume: slowLedger,
      others: othersTotal,
    });
    expect(after.stats.slowReadersDropped).toBe(1);
    expect(heapGrowthMb).toBeLessThan(8); // 16 MB went out; a buffered slow reader would hold it all
    expect(othersTotal).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, received: 5 * total });
    expect(slowLedger).toMatchObject({ lost: 0, duplicates: 0, outOfOrder: 0, received: total });
  }, 120_000);
});
