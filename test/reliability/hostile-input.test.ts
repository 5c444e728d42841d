import { type RedisServer, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { createBookingHub, HubError, memoryBroker } from "@realtime-bookings/server";
import { startHubProcess } from "./support/hub-process.js";
import { recordFigures } from "./support/ledger.js";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

const valid = (extra: Record<string, unknown> = {}) => ({ type: "create", data: { id: 1, specialist_id: 1, workpoint_id: 1, ...extra } });
const CRLF_VALUES = ["a\r\nevent: admin", "a\rid: 9", "a\ndata: x", "a\u0000b", "a\u2028b"];

/** Each hostile channel message and whether the hub must refuse it (true) or deliver it safely (false). */
const CHANNEL_CASES: Array<[string, string, boolean]> = [
  ["not JSON", "{{{", true],
  ["JSON array", "[1,2]", true],
  ["JSON string", '"create"', true],
  ["missing type", JSON.stringify({ data: valid().data }), true],
  ["unknown type", JSON.stringify({ ...valid(), type: "drop" }), true],
  ["type with CR/LF", JSON.stringify({ ...valid(), type: "create\r\nevent: admin" }), true],
  ["data not an object", JSON.stringify({ type: "create", data: "x" }), true],
  ["missing id", JSON.stringify({ type: "create", data: { specialist_id: 1, workpoint_id: 1 } }), true],
  ["missing specialist", JSON.stringify({ type: "create", data: { id: 1, workpoint_id: 1 } }), true],
  ["id as object", JSON.stringify({ type: "create", data: { id: { $gt: 0 }, specialist_id: 1, workpoint_id: 1 } }), true],
  ["negative id", JSON.stringify({ type: "create", data: { id: -1, specialist_id: 1, workpoint_id: 1 } }), true],
  ["fractional id", JSON.stringify({ type: "create", data: { id: 1.5, specialist_id: 1, workpoint_id: 1 } }), true],
  ["glob in workpoint", JSON.stringify({ type: "create", data: { id: 1, specialist_id: 1, workpoint_id: "1*" } }), true],
  ["separator in specialist", JSON.stringify({ type: "create", data: { id: 1, specialist_id: "1:2", workpoint_id: 1 } }), true],
  ["forged history id", JSON.stringify({ id: "1\nevent: x", ...valid() }), true],
  ["__proto__ key", `{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"__proto__":{"role":"admin"}}}`, true],
  ["constructor key", JSON.stringify(valid({ nested: { constructor: { prototype: 1 } } })), true],
  ["over 64 KiB", JSON.stringify(valid({ pad: "x".repeat(70_000) })), true],
  ["nested 100 deep", `{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"x":${"[".repeat(100)}${"]".repeat(100)}}}`, true],
  ...CRLF_VALUES.map((v, i): [string, string, boolean] => [`CR/LF/NUL in a data field #${i}`, JSON.stringify(valid({ note: v })), false]),
  ...CRLF_VALUES.map((v, i): [string, string, boolean] => [`CR/LF/NUL in the specialist id #${i}`, JSON.stringify({ type: "create", data: { id: 1, specialist_id: v, workpoint_id: 1 } }), true]),
];

/** Every line of a well-formed stream from this hub: a known field, a comment, or the blank separator. */
const FRAME_LINE = /^(event: (ready|booking|resync|heartbeat)|id: \d+-\d+|data: [^\r\n]*|retry: \d+|: ping|)$/;

describe.runIf(hasRedisServer())("hostile input on the channel", () => {
  it("refuses every malformed message with a count and one log line per kind, delivers the rest safely, never breaks a frame or crashes", async () => {
    const redis: RedisServer = await startRedisServer();
    cleanup.push(() => redis.stop());
    const hub = await startHubProcess(["--redis", redis.url, "--prefix", "hostile"]);
    cleanup.push(() => hub.kill());
    const admin = await openSse(hub.streamUrl("admin"));
    const other = await openSse(hub.streamUrl("spec-2"));
    cleanup.push(() => admin.close(), () => other.close());
    for (const [, message] of CHANNEL_CASES) await redis.cli("PUBLISH", "hostile:updates", message);
    const deliverable = CHANNEL_CASES.filter(([, , refused]) => !refused);
    await redis.cli("PUBLISH", "hostile:updates", JSON.stringify(valid({ last: true })));
    await admin.waitForEvents(deliverable.length + 1);
    await sleep(100);

    const stats = await hub.stats();
    const refusedCount = CHANNEL_CASES.filter(([, , refused]) => refused).length;
    const logLines = hub.stderr().split("\n").filter((l) => l.includes("rejected a message"));
    recordFigures("hostile-input", { cases: CHANNEL_CASES.length, refused: stats.stats.messagesRejected, delivered: admin.events.length, logLines: logLines.length });
    expect(stats.stats.messagesRejected).toBe(refusedCount);
    expect(admin.events.map((e) => JSON.parse(e.data))).toEqual([...deliverable.map(([, m]) => JSON.parse(m)), valid({ last: true })]);
    expect(other.events).toEqual([]);
    expect(logLines.length).toBeLessThanOrEqual(new Set(["invalid_json", "invalid_field", "missing_field", "forbidden_key", "too_large", "too_deep"]).size);
    for (const line of admin.raw().split("\n")) expect(line).toMatch(FRAME_LINE);
    expect(hub.child.exitCode).toBeNull();
  });
});

describe("hostile input to publish()", () => {
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: () => null });
  afterEach(() => undefined);
  const circular: Record<string, unknown> = { type: "create" };
  circular["data"] = circular;
  it.each([
    ["undefined", undefined],
    ["a string", "create"],
    ["a BigInt id", { type: "create", data: { id: 10n, specialist_id: 1, workpoint_id: 1 } }],
    ["a circular object", circular],
    ["CR/LF in the type", { type: "create\nevent: x", data: valid().data }],
    ["a glob in an id", { type: "create", data: { id: 1, specialist_id: "*", workpoint_id: 1 } }],
    ["a __proto__ key", JSON.parse(`{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"__proto__":{}}}`)],
    ["an oversized payload", valid({ pad: "x".repeat(70_000) })],
  ])("refuses %s with HubError invalid_event", async (_name, input) => {
    const error = await hub.publish(input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe("invalid_event");
  });
  it("keeps working after all of them", async () => {
    await expect(hub.publish(valid() as never)).resolves.toMatchObject({ id: expect.stringMatching(/^\d+-\d+$/) });
    await hub.close();
  });
});
