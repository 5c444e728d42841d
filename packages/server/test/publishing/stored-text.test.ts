import { describe, expect, it } from "vitest";
import { createBookingHub, memoryBroker } from "../../src/index.js";

/** What the publish script would store and send: the history entry's text, read back from the broker. */
async function stored(event: unknown): Promise<string> {
  const broker = memoryBroker();
  const hub = createBookingHub({ broker, authenticate: () => null });
  try {
    await hub.publish(event as never);
    const [entry] = await broker.readRecent!(1);
    return entry!.json;
  } finally {
    await hub.close();
  }
}

describe("what hub.publish stores", () => {
  it("stores a compact event as it was given", async () => {
    const event = { type: "update", data: { id: 7, specialist_id: 3, workpoint_id: 1, note: "a/b ü \n" }, previous: { specialist_id: 2 }, origin: "tab-1" };
    expect(await stored(event)).toBe(JSON.stringify(event));
  });

  it("stores only the checked fields, in the protocol's order: unknown fields never reach Redis or a viewer", async () => {
    expect(await stored({ secret: "x", data: { id: 7, specialist_id: 3, workpoint_id: 1 }, type: "create" })).toBe(
      '{"type":"create","data":{"id":7,"specialist_id":3,"workpoint_id":1}}',
    );
    expect(await stored({ type: "update", data: { id: 7, specialist_id: 3, workpoint_id: 1 }, previous: { workpoint_id: 2, hidden: true } })).toBe(
      '{"type":"update","data":{"id":7,"specialist_id":3,"workpoint_id":1},"previous":{"workpoint_id":2}}',
    );
    expect(await stored({ type: "create", data: { id: 7, specialist_id: 3, workpoint_id: 1 }, origin: null })).toBe(
      '{"type":"create","data":{"id":7,"specialist_id":3,"workpoint_id":1}}',
    );
  });
});
