import { type BookingEvent, type EventScope } from "@realtime-bookings/protocol";
import { type RedisServer, type ResumingReader, hasRedisServer, resumingReader, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { type HubProcess, startHubProcess } from "./support/hub-process.js";
import { checkLedger, expectedFor, recordFigures, scopeOf, totals, viewerOf } from "./support/ledger.js";
import { DirectPublisher } from "./support/publisher.js";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Event `seq`: specialists 1–4 and workpoints 1–2 in turn; every 7th event moves the booking. */
function eventFor(seq: number): BookingEvent {
  const specialist = 1 + (seq % 4);
  const workpoint = 1 + (seq % 2);
  const data = { id: 1000 + (seq % 50), specialist_id: specialist, workpoint_id: workpoint, seq };
  return seq % 7 === 0 ? { type: "update", data, previous: { specialist_id: 1 + ((seq + 1) % 4), workpoint_id: 3 - workpoint } } : { type: "create", data };
}

/** Waits until every reader holds its last expected event (or a resync after it), bounded. */
async function settle(readers: ReadonlyArray<{ as: string; reader: ResumingReader }>, published: ReadonlyArray<{ seq: number; scope: EventScope }>, ms = 20_000) {
  const lastOf = (as: string) => expectedFor(viewerOf(as), published).at(-1);
  const done = ({ as, reader }: { as: string; reader: ResumingReader }) => {
    const last = lastOf(as);
    return last === undefined || reader.entries.some((e) => e.kind === "booking" && JSON.parse(e.data).data.seq === last);
  };
  for (const t0 = Date.now(); !readers.every(done) && Date.now() - t0 < ms; ) await sleep(50);
}

/** The time from `at` until every reader has received something published after `at`. */
function recoveryMs(readers: ReadonlyArray<{ reader: ResumingReader }>, at: number): number {
  return Math.max(...readers.map(({ reader }) => (reader.entries.find((e) => e.at > at)?.at ?? Number.NaN) - at));
}

describe.runIf(hasRedisServer())("delivery ledger under faults (real redis-server, real hub processes)", () => {
  it("every client holds every event it may see exactly once and in order, through a Redis restart, a hub crash and random cuts", async () => {
    const redis: RedisServer = await startRedisServer({ persistent: true });
    cleanup.push(() => redis.stop());
    const prefix = "ledger";
    const hubA: HubProcess = await startHubProcess(["--redis", redis.url, "--prefix", prefix]);
    const hubB: HubProcess = await startHubProcess(["--redis", redis.url, "--prefix", prefix]);
    cleanup.push(() => hubA.kill(), () => hubB.kill());

    const names = ["admin", "sup-1", "sup-2", "spec-1", "spec-2", "spec-3", "spec-4"];
    const readers = names.flatMap((as, i) =>
      [0, 1, 2].map((k) => ({ as, reader: resumingReader((i + k) % 2 ? [hubA.streamUrl(as), hubB.streamUrl(as)] : [hubB.streamUrl(as), hubA.streamUrl(as)]) })),
    );
    cleanup.push(() => readers.forEach(({ reader }) => reader.stop()));
    await Promise.all(readers.map(({ reader }) => reader.live()));

    const publisher = new DirectPublisher(redis.url, prefix);
    cleanup.push(() => publisher.close());
    await publisher.ready();
    const published: Array<{ seq: number; scope: EventScope }> = [];
    const faults: Record<string, number> = {};
    let restart: Promise<void> | undefined;
    const total = 400;
    for (let seq = 1; seq <= total; seq++) {
      const event = eventFor(seq);
      await publisher.publish(seq, event);
      published.push({ seq, scope: scopeOf(event) });
      if (seq === 100) {
        restart = (async () => {
          await redis.stop({ graceful: true });
          await sleep(300);
          await redis.start();
          faults["redis restart"] = Date.now();
        })();
      }
      if (seq === 250) {
        await hubA.kill("SIGKILL");
        faults["hub process killed"] = Date.now();
      }
      if (seq % 25 === 0) readers[Math.floor(Math.random() * readers.length)]?.reader.cut();
      await sleep(4);
    }
    await restart;
    await settle(readers, published);

    const reports = readers.map(({ as, reader }) => checkLedger(reader.entries, expectedFor(viewerOf(as), published)));
    if (process.env["LEDGER_DEBUG"]) {
      readers.forEach(({ as, reader }, i) => {
        if (!reports[i]?.lost && !reports[i]?.duplicates) return;
        const bySeq = new Map<number, string[]>();
        for (const e of reader.entries) if (e.kind === "booking") bySeq.set(JSON.parse(e.data).data.seq, [...(bySeq.get(JSON.parse(e.data).data.seq) ?? []), e.id ?? "-"]);
        console.log("DUP", as, i, [...bySeq].filter(([, v]) => v.length > 1));
        const got = new Set(reader.entries.filter((e) => e.kind === "booking").map((e) => JSON.parse(e.data).data.seq));
        const missing = expectedFor(viewerOf(as), published).filter((s) => !got.has(s));
        console.log("LOST", as, i, missing, "connects", reader.connects, "faults", faults, "sent", missing.map((m) => publisher.sentAt.get(m)));
        console.log(reader.entries.map((e) => `${e.at} ${e.id} ${e.kind === "booking" ? JSON.parse(e.data).data.seq : "resync"}`).join("\n").slice(0, 6000));
      });
    }
    const sum = totals(reports);
    const statsB = await hubB.stats();
    recordFigures("ledger", {
      events: total,
      clients: readers.length,
      deliveriesExpected: sum.expected,
      ...sum,
      publishRetriesDuringOutage: publisher.failures,
      eventsRecoveredByHubB: statsB.stats.eventsRecovered,
      recoveryMs: Object.fromEntries(Object.entries(faults).map(([name, at]) => [name, recoveryMs(readers, at)])),
      faults: ["redis-server restart (persistent, 300 ms down)", "hub process SIGKILL", `${total / 25} random connection cuts`],
    });
    expect(sum).toEqual({ expected: sum.expected, received: sum.expected, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 });
    expect(publisher.failures).toBeGreaterThan(0); // the outage really happened while publishing
  }, 120_000);

  it("a 1,000-client reconnect storm: all live again on the surviving hub and resumed, nothing lost or doubled", async () => {
    const redis = await startRedisServer();
    cleanup.push(() => redis.stop());
    const prefix = "storm";
    const hubA = await startHubProcess(["--redis", redis.url, "--prefix", prefix]);
    const hubB = await startHubProcess(["--redis", redis.url, "--prefix", prefix]);
    cleanup.push(() => hubA.kill(), () => hubB.kill());
    const names = ["admin", "sup-1", "sup-2", "spec-1", "spec-2", "spec-3", "spec-4"];
    const readers = Array.from({ length: 1000 }, (_, i) => {
      const as = names[i % names.length] as string;
      return { as, reader: resumingReader([hubA.streamUrl(as), hubB.streamUrl(as)]) };
    });
    cleanup.push(() => readers.forEach(({ reader }) => reader.stop()));
    await Promise.all(readers.map(({ reader }) => reader.live(30_000)));
    expect((await hubA.stats()).stats.connections).toEqual({ admin: 143, supervisor: 286, specialist: 571 });

    const publisher = new DirectPublisher(redis.url, prefix);
    cleanup.push(() => publisher.close());
    await publisher.ready();
    const published: Array<{ seq: number; scope: EventScope }> = [];
    const publishOne = async (seq: number) => {
      const event = eventFor(seq);
      await publisher.publish(seq, event);
      published.push({ seq, scope: scopeOf(event) });
    };
    for (let seq = 1; seq <= 20; seq++) await publishOne(seq);
    await settle(readers, published, 30_000); // every reader is current: the storm hits established streams
    let killedAt = 0;
    for (let seq = 21; seq <= 60; seq++) {
      await publishOne(seq);
      if (seq === 25) {
        await hubA.kill("SIGKILL"); // mid-stream, with events still flowing
        killedAt = Date.now();
      }
      await sleep(10);
    }
    for (const t0 = Date.now(); readers.some(({ reader }) => !reader.isLive) && Date.now() - t0 < 30_000; ) await sleep(20);
    const allLiveMs = Date.now() - killedAt;
    await settle(readers, published, 30_000);
    const sum = totals(readers.map(({ as, reader }) => checkLedger(reader.entries, expectedFor(viewerOf(as), published))));
    const statsB = await hubB.stats();
    if (process.env["LEDGER_DEBUG"]) {
      const tally = new Map<string, number>();
      for (const { reader } of readers) tally.set(reader.connectedTo.join(" > "), (tally.get(reader.connectedTo.join(" > ")) ?? 0) + 1);
      console.log("STORM", hubA.url, hubB.url, [...tally].slice(0, 10), "B stats", statsB.stats);
    }
    recordFigures("storm", { clients: readers.length, allLiveAgainMs: allLiveMs, replays: statsB.stats.replays, ...sum });
    expect(statsB.stats.connections.admin + statsB.stats.connections.supervisor + statsB.stats.connections.specialist).toBe(1000);
    expect(sum).toEqual({ expected: sum.expected, received: sum.expected, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 });
  }, 120_000);
});
