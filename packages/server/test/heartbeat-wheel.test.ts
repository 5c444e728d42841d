// Heartbeats spread over their period: every stream still gets one per period, but one tick writes to
// a slice of the streams, never to all of them (10,000 writes in one turn held the event loop ~200 ms).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Beating, HeartbeatWheel } from "../src/fanout/heartbeat-wheel.js";

interface Item extends Beating {
  readonly name: number;
}

const items = (count: number, from = 0): Item[] => Array.from({ length: count }, (_, k) => ({ name: from + k, beatSlice: undefined }));

/** A wheel whose ticks are recorded: the names each tick beat. */
function recorded(periodMs: number): { wheel: HeartbeatWheel<Item>; ticks: number[][] } {
  const ticks: number[][] = [];
  const wheel = new HeartbeatWheel<Item>(periodMs, (slice) => ticks.push([...slice].map((i) => i.name)));
  return { wheel, ticks };
}

describe("the heartbeat wheel", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("beats every stream once per period, a slice per tick, never all of them at once", () => {
    const { wheel, ticks } = recorded(15_000); // 60 slices of 250 ms
    const all = items(6_000);
    for (const item of all) wheel.add(item);
    vi.advanceTimersByTime(15_000);
    expect(ticks).toHaveLength(60);
    expect(new Set(ticks.map((t) => t.length))).toEqual(new Set([100])); // even slices
    expect(ticks.flat().sort((a, b) => a - b)).toEqual(all.map((i) => i.name)); // each once
    vi.advanceTimersByTime(15_000);
    expect(ticks.slice(60).flat().sort((a, b) => a - b)).toEqual(all.map((i) => i.name)); // and again
    wheel.stop();
  });

  it("keeps a stream's beats one period apart, however many ticks the period has", () => {
    const { wheel, ticks } = recorded(1_000); // 4 slices
    const [one] = items(1);
    wheel.add(one as Item);
    const beatAt: number[] = [];
    const start = Date.now();
    for (let ms = 0; ms < 5_000; ms += 250) {
      const before = ticks.length;
      vi.advanceTimersByTime(250);
      if (ticks.length > before) beatAt.push(Date.now() - start);
    }
    expect(beatAt).toHaveLength(5);
    expect(beatAt.slice(1).map((t, k) => t - (beatAt[k] as number))).toEqual([1_000, 1_000, 1_000, 1_000]);
    wheel.stop();
  });

  it("gives a stream that joins a quiet hub its first heartbeat about a period later, not at the next tick", () => {
    const { wheel, ticks } = recorded(25_000); // 64 slices of ~390 ms
    vi.advanceTimersByTime(10_000); // the wheel has turned for a while
    const joined = items(3);
    for (const item of joined) wheel.add(item);
    vi.advanceTimersByTime(25_000 - 3 * 391);
    expect(ticks).toEqual([]); // none before the period is nearly over
    vi.advanceTimersByTime(3 * 391);
    expect(ticks.flat().sort()).toEqual([0, 1, 2]); // each once, in the last three ticks of the period
    wheel.stop();
  });

  it("beats everything every period when the period is shorter than a tick (tests, short heartbeats)", () => {
    const { wheel, ticks } = recorded(40);
    for (const item of items(5)) wheel.add(item);
    vi.advanceTimersByTime(80);
    expect(ticks).toEqual([
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
    wheel.stop();
  });

  it("never beats a stream that left, and fills the emptied slice first (a reconnect storm stays spread)", () => {
    const { wheel, ticks } = recorded(1_000); // 4 slices
    const first = items(8);
    for (const item of first) wheel.add(item); // 2 per slice
    const leaving = first.filter((i) => i.beatSlice === 0);
    for (const item of leaving) wheel.remove(item);
    wheel.remove(leaving[0] as Item); // twice: no harm
    const joined = items(2, 100);
    for (const item of joined) wheel.add(item);
    expect(joined.map((i) => i.beatSlice)).toEqual([0, 0]);
    vi.advanceTimersByTime(1_000);
    const beaten = ticks.flat();
    for (const item of leaving) expect(beaten).not.toContain(item.name);
    expect(ticks.map((t) => t.length)).toEqual([2, 2, 2, 2]);
    wheel.stop();
  });

  it("stops beating once stopped", () => {
    const { wheel, ticks } = recorded(1_000);
    for (const item of items(4)) wheel.add(item);
    wheel.stop();
    vi.advanceTimersByTime(5_000);
    expect(ticks).toEqual([]);
  });
});
