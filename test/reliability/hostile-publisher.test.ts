// Issue 11, "Done when": a publisher with PUBLISH rights sends 1,000 crafted messages interleaved with
// 200 legitimate events. Every legitimate event reaches each viewer allowed to see it exactly once,
// nothing else is delivered, and the hub's memory stays flat.
import { type RedisServer, openSse, requireBinary, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { startHubProcess } from "./support/hub-process.js";
import { recordFigures } from "./support/ledger.js";
import { DirectPublisher } from "./support/publisher.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const PREFIX = "hostilepub";
const VIEWERS = { admin: "admin", sup1: "sup-1", sup2: "sup-2", spec3: "spec-3", spec4: "spec-4" } as const;
const LEGIT = 200;
const CRAFTED = 1000;

/** Legitimate event n: spread over specialists 3..6 and workpoints 1..2, some of them moves. */
function legit(n: number) {
  const specialist = 3 + (n % 4);
  const workpoint = 1 + (n % 2);
  return n % 5 === 0
    ? { type: "update" as const, data: { id: n, specialist_id: specialist, workpoint_id: workpoint }, previous: { specialist_id: 3 + ((n + 1) % 4), workpoint_id: 1 + ((n + 1) % 2) } }
    : { type: "create" as const, data: { id: n, specialist_id: specialist, workpoint_id: workpoint } };
}

/** Who may see legitimate event n (a move is seen by the old scope and the new). */
function canSee(viewer: string, n: number): boolean {
  const { data, previous } = legit(n) as { data: { specialist_id: number; workpoint_id: number }; previous?: { specialist_id: number; workpoint_id: number } };
  const scopes = [data, ...(previous ? [previous] : [])];
  if (viewer === "admin") return true;
  if (viewer.startsWith("sup-")) return scopes.some((s) => `sup-${s.workpoint_id}` === viewer);
  return scopes.some((s) => `spec-${s.specialist_id}` === viewer);
}

/** Crafted message k: every kind the hub must refuse, each with its own scope ids. */
function crafted(k: number, realIds: readonly string[], now: number): string {
  const scope = { id: 100_000 + k, specialist_id: 1_000_000 + k, workpoint_id: 2_000_000 + k };
  const body = (extra = "") => `"type":"create","data":${JSON.stringify(scope).slice(0, -1)}${extra}}`;
  switch (k % 8) {
    case 0: // far-future id
      return `{"id":"999999999999999-${k}",${body()}}`;
    case 1: // an id just ahead of Redis's clock
      return `{"id":"${now + 1 + (k % 50)}-0",${body()}}`;
    case 2: // a real history id with a forged body
      return `{"id":"${realIds.at(-1) ?? "1-0"}",${body()}}`;
    case 3: // an old, plausible id that was never stored
      return `{"id":"${now - 10_000 - k}-7",${body()}}`;
    case 4: // oversized
      return `{${body(`,"pad":"${"x".repeat(70_000)}"`)}}`;
    case 5: // too deep
      return `{${body(`,"x":${"[".repeat(80)}${"]".repeat(80)}`)}}`;
    case 6: // __proto__
      return `{${body(`,"__proto__":{"role":"admin"}`)}}`;
    default: // a forged id far in the past, below the whole history
      return `{"id":"1-${k}",${body()}}`;
  }
}

describe.runIf(requireBinary("redis-server", "apt-get install redis-server"))("a hostile publisher on the channel", () => {
  it("200 legitimate events among 1,000 crafted messages: each delivered exactly once to each viewer allowed, nothing else, memory flat", async () => {
    const redis: RedisServer = await startRedisServer();
    cleanup.push(() => redis.stop());
    const hub = await startHubProcess(["--redis", redis.url, "--prefix", PREFIX]);
    cleanup.push(() => hub.kill());
    const readers = Object.fromEntries(await Promise.all(Object.entries(VIEWERS).map(async ([name, as]) => [name, await openSse(hub.streamUrl(as))] as const)));
    for (const reader of Object.values(readers)) cleanup.push(() => reader.close());
    for (const reader of Object.values(readers)) for (let i = 0; i < 200 && reader.ready.length === 0; i++) await sleep(10);

    const publisher = new DirectPublisher(redis.url, PREFIX);
    cleanup.push(() => publisher.close());
    await publisher.ready();
    const raw = new Redis(redis.url);
    cleanup.push(() => raw.disconnect());
    const heapBefore = (await hub.stats()).heapUsed;

    const realIds: string[] = [];
    let k = 0;
    for (let n = 1; n <= LEGIT; n++) {
      realIds.push(await publisher.publish(n, legit(n)));
      const batch = raw.pipeline();
      for (let j = 0; j < CRAFTED / LEGIT; j++, k++) batch.publish(`${PREFIX}:updates`, crafted(k, realIds, Date.now()));
      await batch.exec();
    }
    const expected = Object.fromEntries(
      Object.entries(VIEWERS).map(([name, as]) => [name, Array.from({ length: LEGIT }, (_, i) => i + 1).filter((n) => canSee(as, n))]),
    );
    for (const [name, reader] of Object.entries(readers)) await reader.waitForEvents(expected[name]?.length ?? 0, 20_000);
    await sleep(300); // anything extra would have arrived by now

    const delivered = Object.fromEntries(Object.entries(readers).map(([name, reader]) => [name, reader.events.map((e) => JSON.parse(e.data).data.id)]));
    const after = await hub.stats();
    recordFigures("hostile-publisher", {
      legit: LEGIT,
      crafted: CRAFTED,
      rejected: after.stats.messagesRejected,
      heapBeforeMiB: +(heapBefore / 2 ** 20).toFixed(1),
      heapAfterMiB: +(after.heapUsed / 2 ** 20).toFixed(1),
    });
    expect(delivered).toEqual(expected);
    expect(after.stats.messagesRejected).toBe(CRAFTED);
    expect(after.heapUsed - heapBefore).toBeLessThan(8 * 2 ** 20);
    expect(hub.child.exitCode).toBeNull();
  });
});
