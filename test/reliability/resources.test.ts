import { openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { startHubProcess } from "./support/hub-process.js";
import { recordFigures } from "./support/ledger.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});
const viewers = ["admin", "sup-1", "sup-2", "spec-1", "spec-2", "spec-3"];
const open = (n: number) => n; // readability only

async function settleConnections(hub: Awaited<ReturnType<typeof startHubProcess>>, count: number) {
  for (let i = 0; i < 300; i++) {
    const c = (await hub.stats()).stats.connections;
    if (c.admin + c.supervisor + c.specialist === count) return;
    await sleep(20);
  }
}

describe("resources", () => {
  it("holds its connection cap under a flood of connects: exactly the cap is served, the rest get 429", async () => {
    const hub = await startHubProcess(["--max-connections", "100"]);
    cleanup.push(() => hub.kill());
    const readers = await Promise.all(Array.from({ length: open(300) }, (_, i) => openSse(hub.streamUrl(viewers[i % viewers.length] as string))));
    cleanup.push(() => readers.forEach((r) => r.close()));
    const statuses = readers.map((r) => r.status).sort();
    const stats = (await hub.stats()).stats;
    recordFigures("connection-flood", { attempted: 300, cap: 100, served: statuses.filter((s) => s === 200).length, refused429: statuses.filter((s) => s === 429).length });
    expect({ ok: statuses.filter((s) => s === 200).length, refused: statuses.filter((s) => s === 429).length }).toEqual({ ok: 100, refused: 200 });
    expect(stats.connectionsRefused).toBe(200);
  });

  it("10,000 connect/disconnect cycles leave no connection, handle or heap growth behind (after GC)", async () => {
    const hub = await startHubProcess([]);
    cleanup.push(() => hub.kill());
    const cycle = async (count: number) => {
      for (let done = 0; done < count; done += 100) {
        const batch = await Promise.all(Array.from({ length: 100 }, (_, i) => openSse(hub.streamUrl(viewers[(done + i) % viewers.length] as string))));
        batch.forEach((r) => r.close());
        await Promise.all(batch.map((r) => r.ended));
      }
      await settleConnections(hub, 0);
      await sleep(200); // let closed sockets finish closing
    };
    await cycle(1000); // warm up: JIT, pools, lazily created structures
    const before = await hub.stats();
    await cycle(10_000);
    const after = await hub.stats();
    const heapGrowthKb = Math.round((after.heapUsed - before.heapUsed) / 1024);
    recordFigures("connect-cycles", { cycles: 10_000, heapGrowthKbAfterGc: heapGrowthKb, handlesBefore: before.handles, handlesAfter: after.handles, connectionsAfter: after.stats.connections });
    expect(after.stats.connections).toEqual({ admin: 0, supervisor: 0, specialist: 0 });
    expect(after.handles).toBeLessThanOrEqual(before.handles);
    expect(heapGrowthKb).toBeLessThan(1024); // a leak of ~100 bytes per cycle would show as 1 MB here
    // And it still streams.
    const reader = await openSse(hub.streamUrl("admin"));
    cleanup.push(() => reader.close());
    expect(reader.status).toBe(200);
  }, 120_000);
});
