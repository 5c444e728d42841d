import { describe, expect, it } from "vitest";
import { type ShardConnection, type ShardConnector, type SlotsReply, ShardSubscriber } from "../src/brokers/shard-subscriber.js";
import { clusterSlotOf } from "../src/brokers/cluster-slot.js";

const CHANNEL = "{bookings}:updates";
const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

/** A cluster whose slot owner the test moves, with connections it can drop. */
function fakeCluster() {
  const state = { owner: 7001, failOpens: 0, slotsCalls: 0, moved: 0, open: [] as Array<{ port: number; drop(): void; closed: boolean }> };
  const connector: ShardConnector = {
    async slots(): Promise<SlotsReply> {
      state.slotsCalls += 1;
      return [[0, 16383, ["127.0.0.1", state.owner]]];
    },
    async open(_host, port, _channel, _onMessage, onClose): Promise<ShardConnection> {
      if (state.failOpens > 0) {
        state.failOpens -= 1;
        throw new Error("ECONNREFUSED");
      }
      const conn = { port, closed: false, drop: () => {
        if (conn.closed) return;
        conn.closed = true;
        onClose();
      } };
      state.open.push(conn);
      return { get alive() { return !conn.closed; }, close: () => conn.drop() };
    },
    async moved() {
      state.moved += 1;
    },
  };
  return { state, connector };
}

function events() {
  const log: string[] = [];
  return { log, listener: { onMessage: () => {}, onReady: () => void log.push("ready"), onDown: () => void log.push("down") } };
}

describe("ShardSubscriber (the Cluster subscription that follows its slot)", () => {
  it("computes slots as Redis does for the hash tag", () => {
    expect(clusterSlotOf(CHANNEL)).toBe(clusterSlotOf("{bookings}:history"));
    expect(clusterSlotOf("foo")).toBe(12182); // from the Redis Cluster specification
  });

  it("after a crash: reports down, retries until the new owner takes it, refreshes the slot map, then ready", async () => {
    const { state, connector } = fakeCluster();
    const { log, listener } = events();
    const sub = new ShardSubscriber(connector, CHANNEL, listener, 60_000);
    await sub.start();
    expect(log).toEqual(["ready"]);
    state.failOpens = 2; // the dead master refuses, twice
    state.owner = 7002;
    state.open[0]?.drop();
    for (let i = 0; i < 100 && log.length < 5; i++) await tick(20);
    expect(log).toEqual(["ready", "down", "down", "down", "ready"]); // lost, then two refused attempts
    expect(state.open.at(-1)?.port).toBe(7002);
    expect(state.moved).toBe(1);
    await sub.close();
  });

  it("after a planned move the connection stays open: the owner check moves it", async () => {
    const { state, connector } = fakeCluster();
    const { log, listener } = events();
    const sub = new ShardSubscriber(connector, CHANNEL, listener, 50);
    await sub.start();
    state.owner = 7003;
    for (let i = 0; i < 100 && log.length < 3; i++) await tick(20);
    expect(log).toEqual(["ready", "down", "ready"]);
    expect(state.open.map((c) => [c.port, c.closed])).toEqual([[7001, true], [7003, false]]);
    await sub.close();
  });

  it("close() closes the connection and stops the owner checks and retries", async () => {
    const { state, connector } = fakeCluster();
    const { log, listener } = events();
    const sub = new ShardSubscriber(connector, CHANNEL, listener, 50);
    await sub.start();
    await sub.close();
    const calls = state.slotsCalls;
    await tick(200);
    expect(state.slotsCalls).toBe(calls);
    expect(state.open[0]?.closed).toBe(true);
    expect(log).toEqual(["ready"]);
  });
});
