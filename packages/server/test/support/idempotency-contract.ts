import { sleep } from "@realtime-bookings/test-utils";
import { expect, it } from "vitest";
import type { Broker } from "../../src/index.js";
import { type BrokerKit, uniquePrefix } from "./brokers.js";
import { event, recorder } from "./broker-contract.js";

/**
 * The idempotent publish every broker passes (issue 19): one event and one id per key, a different
 * event under a used key refused with nothing written, the record gone after its window. Called inside
 * the broker contract's `describe`, so every kit (memory, ioredis, node-redis, Sentinel, Cluster) runs it.
 */
export function idempotencyContract(kit: BrokerKit): void {
  const make = (idempotencyWindowMs?: number): Promise<Broker> =>
    kit.create({ prefix: uniquePrefix(), ...(idempotencyWindowMs === undefined ? {} : { idempotencyWindowMs }) });

  it("idempotent publish: the same key twice yields one event, one id and one version bump; another key publishes", async () => {
    const broker = await make();
    const rec = recorder();
    await broker.subscribe(rec);
    await sleep(5);
    const k = broker.keys;
    const first = await broker.publishIdempotent?.(event(1), [k.globalVersion], "order-1");
    const again = await broker.publishIdempotent?.(event(1), [k.globalVersion], "order-1");
    const other = await broker.publishIdempotent?.(event(1), [k.globalVersion], "order-2");
    await rec.waitFor(2);
    await sleep(50);
    expect({
      first: first?.replayed,
      again,
      otherIsNew: other?.replayed === false && other.id !== first?.id,
      messages: rec.messages.map((m) => JSON.parse(m).id),
      version: await broker.readVersion(k.globalVersion),
      newest: await broker.newestId(),
    }).toEqual({ first: false, again: { id: first?.id, replayed: true }, otherIsNew: true, messages: [first?.id, other?.id], version: 2, newest: other?.id });
    await broker.close();
  });

  it("idempotent publish: concurrent retries with one key yield one event and one id", async () => {
    const broker = await make();
    const k = broker.keys;
    const results = await Promise.all(Array.from({ length: 5 }, () => broker.publishIdempotent?.(event(2), [k.globalVersion], "burst")));
    const ids = new Set(results.map((r) => r?.id));
    expect({ ids: ids.size, fresh: results.filter((r) => r?.replayed === false).length, version: await broker.readVersion(k.globalVersion) }).toEqual({ ids: 1, fresh: 1, version: 1 });
    await broker.close();
  });

  it("idempotent publish: a used key with a different event is refused and nothing is written", async () => {
    const broker = await make();
    const k = broker.keys;
    const first = await broker.publishIdempotent?.(event(1), [k.globalVersion], "k");
    await expect(broker.publishIdempotent?.(event(9), [k.globalVersion], "k")).rejects.toMatchObject({ code: "idempotency_key_reused" });
    expect({ newest: await broker.newestId(), version: await broker.readVersion(k.globalVersion) }).toEqual({ newest: first?.id, version: 1 });
    await broker.close();
  });

  it("idempotent publish: after the window the key publishes again", async () => {
    const broker = await make(200);
    const k = broker.keys;
    const first = await broker.publishIdempotent?.(event(1), [k.globalVersion], "short");
    await sleep(350);
    const later = await broker.publishIdempotent?.(event(1), [k.globalVersion], "short");
    expect({ replayed: later?.replayed, newId: later?.id !== first?.id, version: await broker.readVersion(k.globalVersion) }).toEqual({ replayed: false, newId: true, version: 2 });
    await broker.close();
  });
}
