import { type BookingEvent, type EventScope, parseBookingEvent, versionKeysOf } from "@realtime-bookings/protocol";
import { type ResumingReader, resumingReader, sleep } from "@realtime-bookings/test-utils";
import type { Cluster, Redis } from "ioredis";
import type { Broker } from "../../../src/index.js";
import { type HubServer, startHubServer } from "../../support/hub-server.js";
import { type LedgerReport, checkLedger, expectedFor, totals, viewerOf } from "../../../../../test/reliability/support/ledger.js";

/** What a failover scenario needs from one Redis topology. */
export interface Topology {
  /** A hub's broker on a client of its own (closed with the returned `close`). */
  hubBroker(prefix: string): { broker: Broker; close(): void } | Promise<{ broker: Broker; close(): void }>;
  /** The publisher's client (no offline queue: a failed publish is never sent late) and broker on it. */
  publisher(prefix: string): { client: Redis | Cluster; broker: Broker; close(): void };
  /** Waits until the replicas hold everything, then SIGKILLs the master holding the prefix's keys. */
  crash(prefix: string): Promise<void>;
  /** A planned failover of the master holding the prefix's keys; resolves once it is done. */
  planned(prefix: string): Promise<void>;
}

/** What a run measured. */
export interface FailoverFigures {
  events: number;
  viewers: number;
  /** Publishes that failed and were retried. */
  publishFailures: number;
  /** From the fault (a crash: once the process is dead; planned: its start) to the next publish acknowledged. */
  failoverMs: number;
  /** The longest time between two acknowledged publishes (retries included). */
  maxPublishStallMs: number;
  /** The longest time any viewer went without an event, around the fault (events flow every ~20 ms). */
  maxDeliveryGapMs: number;
  /** The median over viewers of their longest gap. */
  medianDeliveryGapMs: number;
  /**
   * Every viewer's ledger against the events Redis kept (those in the history once it settled): what
   * the hubs were given to deliver.
   */
  ledger: LedgerReport;
  /**
   * Publishes Redis acknowledged and then dropped: absent from the settled history (asynchronous
   * replication: a write a master took and never passed on before it was demoted). No hub can deliver
   * what it never saw; one that delivered such an event and then found the history went back resyncs.
   */
  droppedByRedis: number;
  /** Deliveries of events Redis later dropped (a viewer saw them before the rollback). */
  deliveredThenDropped: number;
}

const VIEWERS = ["admin", "sup-1", "sup-2", "spec-1", "spec-2", "spec-3", "spec-4"];

/** Event `seq`: specialists 1–4 and workpoints 1–2 in turn; every 7th event moves the booking. */
function eventFor(seq: number): BookingEvent {
  const data = { id: 1000 + (seq % 50), specialist_id: 1 + (seq % 4), workpoint_id: 1 + (seq % 2), seq };
  return seq % 7 === 0 ? { type: "update", data, previous: { specialist_id: 1 + ((seq + 1) % 4), workpoint_id: 2 - (seq % 2) } } : { type: "create", data };
}

/** The history id of event `seq` among the newest entries, if it is there. */
async function findInHistory(client: Redis | Cluster, history: string, seq: number): Promise<string | undefined> {
  try {
    const entries = (await client.xrevrange(history, "+", "-", "COUNT", 50)) as Array<[string, string[]]>;
    return entries.find(([, fields]) => (JSON.parse(fields[1] ?? "{}") as { data?: { seq?: number } }).data?.seq === seq)?.[0];
  } catch {
    return undefined;
  }
}

const seqOf = (data: string): number => (JSON.parse(data) as { data: { seq: number } }).data.seq;

/** The events the history holds once Redis has settled (asked again while a failover still moves). */
async function keptInHistory(client: Redis | Cluster, history: string): Promise<Set<number>> {
  for (let attempt = 0; ; attempt++) {
    try {
      const entries = (await client.xrange(history, "-", "+")) as Array<[string, string[]]>;
      return new Set(entries.map(([, fields]) => (JSON.parse(fields[1] ?? "{}") as { data: { seq: number } }).data.seq));
    } catch (error) {
      if (attempt >= 100) throw error;
      await sleep(100);
    }
  }
}

/**
 * Two hubs on their own clients, two viewers of each scope spread over both hubs, a publisher sending
 * `total` events at ~50/s that retries failed publishes (looking in the history first, so an
 * ambiguous failure is not sent twice), and `fault` run once `faultAt` events are in. Returns the
 * ledger of every viewer and the figures. Every process and connection it opens is closed on return.
 */
export async function runFailover(topology: Topology, kind: "crash" | "planned", total = 200, faultAt = 100): Promise<FailoverFigures> {
  const prefix = `fo${kind}${Math.floor(Math.random() * 1e6)}`;
  const cleanup: Array<() => unknown> = [];
  try {
    const hubs: HubServer[] = [];
    for (let i = 0; i < 2; i++) {
      const { broker, close } = await topology.hubBroker(prefix);
      const hub = await startHubServer(broker);
      cleanup.push(close, () => hub.close());
      hubs.push(hub);
    }
    const [a, b] = hubs as [HubServer, HubServer];
    const readers: Array<{ as: string; reader: ResumingReader }> = VIEWERS.flatMap((as, i) =>
      [0, 1].map((k) => ({ as, reader: resumingReader((i + k) % 2 ? [a.streamUrl(as), b.streamUrl(as)] : [b.streamUrl(as), a.streamUrl(as)]) })),
    );
    cleanup.push(() => readers.forEach(({ reader }) => reader.stop()));
    await Promise.all(readers.map(({ reader }) => reader.live()));

    const pub = topology.publisher(prefix);
    cleanup.push(pub.close);
    const keys = pub.broker.keys;
    const published: Array<{ seq: number; scope: EventScope }> = [];
    let failures = 0;
    let faultAtMs = 0;
    let failoverMs = Number.NaN;
    let fault: Promise<void> | undefined;
    let lastAck = Date.now();
    let maxStall = 0;
    for (let seq = 1; seq <= total; seq++) {
      const event = eventFor(seq);
      const json = JSON.stringify(event);
      const { scope } = parseBookingEvent(event);
      for (let attempt = 0; ; attempt++) {
        // A failover whose first election fails takes another 2 × failover-timeout (10 s) under load.
        if (attempt >= 1200) throw new Error(`could not publish event ${seq} in 1,200 attempts (over a minute)`);
        const ok = await pub.broker.publish(json, versionKeysOf(keys, scope)).then(
          () => true,
          () => false,
        );
        if (ok || (await sleep(50), await findInHistory(pub.client, keys.history, seq))) break;
        failures += 1;
      }
      maxStall = Math.max(maxStall, Date.now() - lastAck);
      lastAck = Date.now();
      if (faultAtMs && Number.isNaN(failoverMs) && seq > faultAt) failoverMs = Date.now() - faultAtMs;
      published.push({ seq, scope });
      if (seq === faultAt) {
        fault = kind === "crash" ? topology.crash(prefix) : topology.planned(prefix);
        if (kind === "crash") await fault;
        faultAtMs = Date.now();
      }
      await sleep(20);
      lastAck += 20; // the pause between publishes is not a stall
    }
    await fault;
    const seqs = (r: ResumingReader) => r.entries.filter((e) => e.kind === "booking").map((e) => seqOf(e.data));
    const lastOf = (as: string) => expectedFor(viewerOf(as), published).at(-1);
    for (const t0 = Date.now(); Date.now() - t0 < 30_000; await sleep(50)) {
      if (readers.every(({ as, reader }) => seqs(reader).includes(lastOf(as) as number))) break;
    }
    const kept = await keptInHistory(pub.client, keys.history);
    const dropped = new Set(published.map((e) => e.seq).filter((seq) => !kept.has(seq)));
    const expected = published.filter((e) => kept.has(e.seq));
    if (process.env["FAILOVER_DEBUG"]) {
      for (const { as, reader } of readers) {
        const got = new Set(seqs(reader));
        for (const e of reader.entries) if (e.kind === "resync") console.log(as, "resync", e.at - faultAtMs, e.data);
        console.log(as, "missing", expectedFor(viewerOf(as), expected).filter((x) => !got.has(x)).join(","), "connects", reader.connects);
      }
      console.log("stats", JSON.stringify(a.hub.stats()), JSON.stringify(b.hub.stats()));
      console.log("dropped by Redis", [...dropped].join(","));
    }
    const reports = readers.map(({ as, reader }) =>
      checkLedger(reader.entries.filter((e) => e.kind !== "booking" || !dropped.has(seqOf(e.data))), expectedFor(viewerOf(as), expected)),
    );
    const gaps = readers.map(({ reader }) => Math.max(0, ...reader.entries.slice(1).map((e, i) => e.at - (reader.entries[i]?.at ?? e.at)))).sort((x, y) => x - y);
    return {
      events: total,
      viewers: readers.length,
      publishFailures: failures,
      failoverMs,
      maxPublishStallMs: maxStall,
      maxDeliveryGapMs: gaps.at(-1) ?? 0,
      medianDeliveryGapMs: gaps[Math.floor(gaps.length / 2)] ?? 0,
      ledger: totals(reports),
      droppedByRedis: dropped.size,
      deliveredThenDropped: readers.reduce((n, { reader }) => n + seqs(reader).filter((seq) => dropped.has(seq)).length, 0),
    };
  } finally {
    for (const close of cleanup.reverse()) await Promise.resolve().then(close).catch(() => undefined);
  }
}
