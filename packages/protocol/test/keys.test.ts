import { describe, expect, it } from "vitest";
import { ProtocolError, compareEventIds, hashTagOf, parseBookingEvent, parseEventId, redisKeys, safeParseViewer, versionKeyFor, versionKeysOf, type EventId } from "../src/index.js";

const scopeOf = (v: unknown) => {
  const r = safeParseViewer(v);
  if (!r.ok) throw r.error;
  return r.value;
};

describe("redis key names", () => {
  const keys = redisKeys();
  it("uses the seed's channel and distinct exact keys per scope", () => {
    expect(keys.channel).toBe("bookings:updates");
    expect(versionKeyFor(keys, scopeOf({ role: "admin" }))).toBe("bookings:version");
    expect(versionKeyFor(keys, scopeOf({ role: "supervisor", workpoint_id: 1 }))).toBe("bookings:version:workpoint:1");
    expect(versionKeyFor(keys, scopeOf({ role: "supervisor", workpoint_id: 12 }))).toBe("bookings:version:workpoint:12");
    expect(versionKeyFor(keys, scopeOf({ role: "specialist", specialist_id: "1" }))).toBe("bookings:version:specialist:1");
  });
  it("bumps global, old and new scope counters of a move", () => {
    const { scope } = parseBookingEvent({ type: "update", data: { id: 1, specialist_id: 5, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 } });
    expect(versionKeysOf(keys, scope).sort()).toEqual(
      ["bookings:version", "bookings:version:specialist:3", "bookings:version:specialist:5", "bookings:version:workpoint:1", "bookings:version:workpoint:2"].sort(),
    );
  });
  it("derives the channel from the prefix unless one is given", () => {
    expect(redisKeys({ prefix: "tenant-a" }).channel).toBe("tenant-a:updates");
    expect(redisKeys({ prefix: "tenant-a", channel: "bookings:updates" }).channel).toBe("bookings:updates");
  });
  it("accepts a cluster hash tag prefix and rejects glob characters", () => {
    expect(redisKeys({ prefix: "{bookings}" }).history).toBe("{bookings}:history");
    expect(() => redisKeys({ prefix: "bookings*" })).toThrow(ProtocolError);
    expect(() => redisKeys({ channel: "bookings updates" })).toThrow(ProtocolError);
  });
});

describe("redis key names on Redis Cluster", () => {
  it("puts every name under the prefix as one hash tag, the channel included", () => {
    const keys = redisKeys({ cluster: true });
    expect(keys.cluster).toBe(true);
    expect(keys.history).toBe("{bookings}:history");
    expect(keys.channel).toBe("{bookings}:updates");
    const { scope } = parseBookingEvent({ type: "create", data: { id: 1, specialist_id: 5, workpoint_id: 2 } });
    const names = [keys.history, keys.channel, ...versionKeysOf(keys, scope)];
    expect(names).toContain("{bookings}:version:workpoint:2");
    expect(new Set(names.map(hashTagOf))).toEqual(new Set(["bookings"]));
    expect(redisKeys({ prefix: "tenant-a", cluster: true }).globalVersion).toBe("{tenant-a}:version");
    expect(redisKeys().cluster).toBe(false);
  });
  it("refuses a prefix or channel whose hash tag would split the keys across slots", () => {
    for (const prefix of ["{bookings}", "a}{b", "x{y", "}"]) {
      expect(() => redisKeys({ prefix, cluster: true })).toThrowError(expect.objectContaining({ code: "invalid_field", field: "prefix" }));
    }
    expect(() => redisKeys({ cluster: true, channel: "bookings:updates" })).toThrowError(expect.objectContaining({ field: "channel" }));
    expect(() => redisKeys({ cluster: true, channel: "{other}:updates" })).toThrowError(/hash tag \{bookings\}/);
    expect(redisKeys({ cluster: true, channel: "{bookings}:live" }).channel).toBe("{bookings}:live");
  });
  it("reads hash tags as Redis does", () => {
    expect(hashTagOf("{a}:b")).toBe("a");
    expect(hashTagOf("x{a}{b}")).toBe("a");
    expect(hashTagOf("{}a")).toBeUndefined();
    expect(hashTagOf("a}{b")).toBeUndefined();
    expect(hashTagOf("plain")).toBeUndefined();
  });
});

describe("event ids", () => {
  it("parses only history ids", () => {
    expect(parseEventId("1732800000000-0")).toBe("1732800000000-0");
    for (const bad of ["", "1", "1-", "-1", "1-0\n", "a-0", "1-0-0", "9".repeat(16) + "-0", 5, null]) expect(parseEventId(bad)).toBeUndefined();
  });
  it("orders ids numerically, not as text", () => {
    const ids = ["10-0", "9-5", "9-10", "100-0"] as EventId[];
    expect([...ids].sort(compareEventIds)).toEqual(["9-5", "9-10", "10-0", "100-0"]);
    const max = "999999999999999";
    expect(compareEventIds(`${max}-${max}` as EventId, `${max}-999999999999998` as EventId)).toBeGreaterThan(0);
    expect(compareEventIds(`999999999999998-${max}` as EventId, `${max}-0` as EventId)).toBeLessThan(0);
    expect(compareEventIds("1732800000000-7" as EventId, "1732800000000-7" as EventId)).toBe(0);
    expect(compareEventIds("0-0" as EventId, "0-1" as EventId)).toBeLessThan(0);
  });
});
