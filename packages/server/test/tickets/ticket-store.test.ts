import { describe, expect, it } from "vitest";
import { type ViewerScope, memoryBroker } from "../../src/index.js";
import { TicketStore } from "../../src/tickets/ticket-store.js";

const viewer = { role: "specialist", specialist_id: "3" } as ViewerScope;
const direct = <T>(call: () => Promise<T>): Promise<T> => call();

describe("TicketStore: 30 s, single use, what the token granted", () => {
  it("accepts a ticket until 30 s after issue and refuses it as expired one millisecond later", async () => {
    let now = 1_000_000;
    const store = new TicketStore(memoryBroker(), direct, () => now);
    const early = await store.issue({ viewer, key: "sub:u3", expiresAt: now + 3_600_000 });
    const late = await store.issue({ viewer, key: "sub:u3", expiresAt: now + 3_600_000 });
    expect(early.expiresIn).toBe(30);
    now += 30_000 - 1;
    expect(await store.redeem(early.ticket)).toEqual({ viewer, key: "sub:u3", expiresAt: 1_000_000 + 3_600_000 });
    now += 1;
    expect(await store.redeem(late.ticket)).toBe("ticket_expired");
    expect(await store.redeem(late.ticket)).toBe("ticket_used");
  });

  it("never outlives the token it was issued for", async () => {
    const now = 5_000_000;
    const store = new TicketStore(memoryBroker(), direct, () => now);
    expect((await store.issue({ viewer, key: undefined, expiresAt: now + 4_000 })).expiresIn).toBe(4);
  });

  it("refuses a record it cannot trust (written to Redis by someone else) as unknown", async () => {
    const broker = memoryBroker();
    const store = new TicketStore(broker, direct);
    const { ticket } = await store.issue({ viewer, key: undefined, expiresAt: undefined });
    const { createHash } = await import("node:crypto");
    const key = broker.keys.ticket(createHash("sha256").update(ticket).digest("hex"));
    await broker.takeTicket?.(key, '{"v":{"role":"root"},"u":99999999999999}');
    // The mark replaced the record: the forged value is now what a second take would read.
    expect(await store.redeem(ticket)).toBe("ticket_unknown");
  });
});
