// The memory broker's idempotency records are bounded: keys fed by callers cannot grow memory forever.
import { describe, expect, it } from "vitest";
import { memoryBroker } from "../src/index.js";

const event = (id: number) => JSON.stringify({ type: "create", data: { id, specialist_id: 3, workpoint_id: 1 } });

describe("memoryBroker idempotency records", () => {
  it("keeps at most 100,000 records: past that the oldest key is forgotten (publishes anew), the newest still replays", async () => {
    const broker = memoryBroker({ historyLength: 10 });
    const first = await broker.publishIdempotent?.(event(0), [], "key-0");
    for (let i = 1; i <= 100_000; i++) await broker.publishIdempotent?.(event(i), [], `key-${i}`);
    const newest = await broker.publishIdempotent?.(event(100_000), [], "key-100000");
    const oldest = await broker.publishIdempotent?.(event(0), [], "key-0");
    expect({ newest: newest?.replayed, oldest: oldest?.replayed, oldestNewId: oldest?.id !== first?.id }).toEqual({ newest: true, oldest: false, oldestNewId: true });
    await broker.close();
  });
});
