import type { EventId } from "@realtime-bookings/protocol";
import { sleep } from "@realtime-bookings/test-utils";
import { describe, expect, it } from "vitest";
import type { Broker, BrokerListener } from "../../src/index.js";
import { type BrokerKit, uniquePrefix } from "./brokers.js";
import { idempotencyContract } from "./idempotency-contract.js";

/** A valid event JSON. */
export const event = (id: number) => JSON.stringify({ type: "create", data: { id, specialist_id: 3, workpoint_id: 1 } });

/** A listener that records what it is told. */
export function recorder(): BrokerListener & { messages: string[]; ready: number; down: number; waitFor(n: number): Promise<void> } {
  const rec = {
    messages: [] as string[],
    ready: 0,
    down: 0,
    onMessage(text: string) {
      rec.messages.push(text);
    },
    onReady() {
      rec.ready += 1;
    },
    onDown() {
      rec.down += 1;
    },
    async waitFor(n: number) {
      for (let i = 0; i < 200 && rec.messages.length < n; i++) await sleep(10);
      expect(rec.messages.length).toBe(n);
    },
  };
  return rec;
}

/**
 * The contract every broker passes, whatever its Redis topology: atomic publish with increasing ids
 * and per-key versions, bounded history reads that say gap/lost/truncated honestly, one subscription.
 */
export function brokerContract(kits: readonly BrokerKit[]): void {
describe.each(kits)("broker contract: $name", (kit) => {
  const make = async (historyLength?: number): Promise<Broker> =>
    kit.create(historyLength === undefined ? { prefix: uniquePrefix() } : { prefix: uniquePrefix(), historyLength });

  it("publishes atomically: ids increase, versions bump per key, subscribers get the event with its id", async () => {
    const broker = await make();
    const rec = recorder();
    await broker.subscribe(rec);
    await sleep(5);
    expect(rec.ready).toBe(1);
    const k = broker.keys;
    const a = await broker.publish(event(1), [k.globalVersion, `${k.globalVersion}:a`]);
    const b = await broker.publish(event(2), [k.globalVersion]);
    expect(a < b || a.length < b.length).toBe(true);
    expect(await broker.readVersion(k.globalVersion)).toBe(2);
    expect(await broker.readVersion(`${k.globalVersion}:a`)).toBe(1);
    expect(await broker.readVersion(`${k.globalVersion}:never`)).toBe(0);
    await rec.waitFor(2);
    expect(JSON.parse(rec.messages[0] as string)).toEqual({ id: a, ...JSON.parse(event(1)) });
    expect(await broker.newestId()).toBe(b);
    await broker.close();
  });

  it("reads history after an id, bounded, and says gap, lost or truncated honestly", async () => {
    const broker = await make(5);
    expect(await broker.readHistory("1-0" as EventId, 10)).toEqual({ status: "lost" });
    const ids: EventId[] = [];
    for (let i = 0; i < 3; i++) ids.push(await broker.publish(event(i), []));
    expect(await broker.readHistory(ids[0] as EventId, 10)).toEqual({
      status: "ok",
      truncated: false,
      entries: [
        { id: ids[1], json: event(1) },
        { id: ids[2], json: event(2) },
      ],
    });
    expect(await broker.readHistory(ids[0] as EventId, 1)).toMatchObject({ status: "ok", truncated: true, entries: [{ id: ids[1] }] });
    expect(await broker.readHistory(ids[2] as EventId, 10)).toEqual({ status: "ok", truncated: false, entries: [] });
    expect(await broker.readHistory("1-0" as EventId, 10)).toEqual({ status: "gap" });
    // Past the history length the oldest ids are trimmed (Redis trims approximately, in whole nodes).
    for (let i = 0; i < 300; i++) ids.push(await broker.publish(event(i), []));
    expect(await broker.readHistory(ids[0] as EventId, 1000)).toEqual({ status: "gap" });
    await broker.close();
  });

  it("stores a stream ticket once and hands it over once: a second store and a second take get nothing", async () => {
    const broker = await make();
    const { putTicket, takeTicket } = broker;
    expect([typeof putTicket, typeof takeTicket]).toEqual(["function", "function"]);
    const key = broker.keys.ticket("a".repeat(64));
    expect(await broker.putTicket?.(key, "record", 30_000)).toBe(true);
    expect(await broker.putTicket?.(key, "other", 30_000)).toBe(false);
    expect(await broker.takeTicket?.(key, "used")).toBe("record");
    expect(await broker.takeTicket?.(key, "used")).toBe("used");
    expect(await broker.takeTicket?.(broker.keys.ticket("b".repeat(64)), "used")).toBeUndefined();
    await broker.close();
  });

  it("allows one subscription per broker", async () => {
    const broker = await make();
    await broker.subscribe(recorder());
    await expect(broker.subscribe(recorder())).rejects.toMatchObject({ code: "invalid_options" });
    await broker.close();
  });

  idempotencyContract(kit);

});
}
