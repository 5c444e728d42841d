// One timer for every stream's credential expiry: items are called at or after their time, in
// order, once; cancelled ones never; far-future ones stay waiting (no 2^31-1 ms setTimeout limit).
import { describe, expect, it } from "vitest";
import { type Expiring, ExpiryWheel } from "../src/fanout/expiry-wheel.js";

const item = (calls: Array<[string, number]>, name: string, next?: () => number | undefined): Expiring => ({
  dueKey: undefined,
  due(now) {
    calls.push([name, now]);
    return next?.();
  },
});

describe("the expiry wheel", () => {
  it("calls each item once, never before its time, at most a bucket late; a cancelled one never", async () => {
    const wheel = new ExpiryWheel();
    const calls: Array<[string, number]> = [];
    const t0 = Date.now();
    // Over a bucket apart, so their order is fixed (within one bucket it is the order of scheduling).
    const due: Record<string, number> = { a: t0 + 700, b: t0 + 100, c: t0 + 1_300 };
    for (const [name, when] of Object.entries(due)) wheel.schedule(item(calls, name), when);
    const cancelled = item(calls, "cancelled");
    wheel.schedule(cancelled, t0 + 400);
    wheel.cancel(cancelled);
    await new Promise((r) => setTimeout(r, 1_900));
    expect(calls.map(([name]) => name)).toEqual(["b", "a", "c"]);
    for (const [name, at] of calls) {
      expect(at).toBeGreaterThanOrEqual(due[name] as number);
      expect(at - (due[name] as number)).toBeLessThan(600); // one 250 ms bucket, plus a loaded machine
    }
    expect(wheel.size).toBe(0);
  });

  it("re-waits an item for the time it returns (a reauth notice, then the end), and keeps far-future items waiting", async () => {
    const wheel = new ExpiryWheel();
    const calls: Array<[string, number]> = [];
    let second = true;
    wheel.schedule(item(calls, "notice", () => (second ? ((second = false), Date.now() + 300) : undefined)), Date.now() + 100);
    wheel.schedule(item(calls, "in 30 days"), Date.now() + 30 * 24 * 3600 * 1000);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(calls.map(([name]) => name)).toEqual(["notice", "notice"]);
    expect(wheel.size).toBe(1);
    wheel.stop();
    expect(wheel.size).toBe(0);
  });
});
