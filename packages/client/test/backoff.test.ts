import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { DEFAULT_BACKOFF, backoffDelay } from "../src/index.js";

describe("backoffDelay", () => {
  test("full jitter: uniformly in [0, min(cap, base × factor^attempt))", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 60_000 }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.double({ min: 1, max: 4, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseMs, maxMs, factor, r) => {
          const delay = backoffDelay(attempt, { baseMs, maxMs, factor, random: () => r });
          const ceiling = Math.min(maxMs, baseMs * factor ** attempt);
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          if (ceiling > 0) expect(delay).toBeLessThan(ceiling);
          else expect(delay).toBe(0);
        },
      ),
    );
  });

  test("the extremes of the jitter: random() = 0 gives 0, random() → 1 approaches the ceiling", () => {
    expect(backoffDelay(3, { baseMs: 1000, random: () => 0 })).toBe(0);
    expect(backoffDelay(3, { baseMs: 1000, random: () => 0.999_999 })).toBe(7999);
    expect(backoffDelay(3, { baseMs: 1000, random: () => 0.5 })).toBe(4000);
  });

  test("grows by the factor per attempt until the cap, applied before the jitter", () => {
    const half = { baseMs: 1000, maxMs: 30_000, random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((attempt) => backoffDelay(attempt, half))).toEqual([
      500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000,
    ]);
    expect(backoffDelay(2, { baseMs: 100, factor: 3, random: () => 0.5 })).toBe(450);
  });

  test("the server's retry: is just a different base", () => {
    expect(backoffDelay(0, { baseMs: 3000, random: () => 0.5 })).toBe(1500);
    expect(backoffDelay(4, { baseMs: 3000, random: () => 0.5 })).toBe(15_000); // 48 000 capped at 30 000
  });

  test("defaults: 1 s base, 30 s cap, factor 2, Math.random", () => {
    expect(DEFAULT_BACKOFF).toEqual({ baseMs: 1000, maxMs: 30_000, factor: 2 });
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(10);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }
  });

  test("spreads clients over the whole window instead of synchronizing them", () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelay(2, { baseMs: 1000 }));
    const buckets = [0, 0, 0, 0];
    for (const delay of delays) buckets[Math.floor(delay / 1000)]!++;
    for (const count of buckets) expect(count).toBeGreaterThan(150); // ~250 each
  });

  test("a negative attempt counts as the first", () => {
    expect(backoffDelay(-3, { baseMs: 1000, random: () => 0.5 })).toBe(500);
  });
});
