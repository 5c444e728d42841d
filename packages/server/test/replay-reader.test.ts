import { type EventId, redisKeys } from "@realtime-bookings/protocol";
import { describe, expect, it } from "vitest";
import type { Broker, HistoryEntry, HistoryPage } from "../src/brokers/types.js";
import { ReplayReader } from "../src/fanout/resume/replay.js";

const json = (n: number) => JSON.stringify({ type: "create", data: { id: n, specialist_id: 1, workpoint_id: 1 } });

/** A broker whose history reads wait for `release()`, so a test can act while a read is in flight. */
function countingBroker(history: HistoryEntry[]): Broker & { reads: number; release(): void } {
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => (open = r));
  const broker = {
    reads: 0,
    release() {
      open();
      gate = new Promise<void>((r) => (open = r));
    },
    keys: redisKeys(),
    kind: "counting",
    publish: async () => "0-0" as EventId,
    subscribe: async () => {},
    readVersion: async () => 0,
    async readHistory(after: EventId): Promise<HistoryPage> {
      broker.reads += 1;
      const n = Number(after.split("-")[0]);
      const snapshot = history.filter((e) => Number(e.id.split("-")[0]) > n); // what Redis answers now
      await gate;
      return { status: "ok", entries: snapshot, truncated: false };
    },
    newestId: async () => history.at(-1)?.id,
    ping: async () => {},
    close: async () => {},
  };
  return broker;
}

describe("ReplayReader", () => {
  it("shares one read among resumes of the same turn, never a read sent before a resume registered", async () => {
    const history: HistoryEntry[] = [1, 2].map((n) => ({ id: `${n}-0` as EventId, json: json(n) }));
    const broker = countingBroker(history);
    const reader = new ReplayReader(broker, 100, {}, (call) => call(), () => {});
    const ids = (r: Awaited<ReturnType<ReplayReader["read"]>>) => (r.status === "ok" ? r.events.map((e) => e.frame.id) : r.status);
    const [a, b] = [reader.read("1-0" as EventId), reader.read("1-0" as EventId)]; // a storm: same turn
    await new Promise((r) => setImmediate(r)); // the shared read is now sent, its answer not yet back
    expect(broker.reads).toBe(1);
    history.push({ id: "3-0" as EventId, json: json(3) }); // published after that read was sent
    const late = reader.read("1-0" as EventId); // a resume that registered after the read was sent
    await new Promise((r) => setImmediate(r));
    broker.release();
    broker.release();
    expect([ids(await a), ids(await b), ids(await late), broker.reads]).toEqual([["2-0"], ["2-0"], ["2-0", "3-0"], 2]);
  });
});
