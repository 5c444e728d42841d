import { describe, expect, it } from "vitest";
import { ProtocolError, parseBookingEvent, safeParseBookingMessage, safeParseChannelMessage } from "../src/index.js";

const codeOf = (text: string) => {
  const r = safeParseBookingMessage(text);
  return r.ok ? "ok" : { code: r.error.code, field: r.error.field };
};

describe("booking messages in the seed's format", () => {
  it("accepts the seed's message and keeps extra data fields", () => {
    const r = safeParseBookingMessage('{"type":"create","data":{"id":42,"specialist_id":3,"workpoint_id":1,"note":"x"}}');
    expect(r).toEqual({
      ok: true,
      value: {
        event: { type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1, note: "x" } },
        scope: { specialists: ["3"], workpoints: ["1"] },
      },
    });
  });
  it("accepts the seed's redis-cli test message", () => {
    expect(codeOf('{"type":"test","data":{"test":true}}')).toBe("ok");
  });
  it("drops unknown top-level fields", () => {
    const r = safeParseBookingMessage('{"type":"delete","data":{"id":1,"specialist_id":1,"workpoint_id":1},"sql":"DROP"}');
    expect(r.ok && r.value.event).toEqual({ type: "delete", data: { id: 1, specialist_id: 1, workpoint_id: 1 } });
  });
  it("merges old and new scope of a move", () => {
    const { scope } = parseBookingEvent({
      type: "update",
      data: { id: 1, specialist_id: 5, workpoint_id: 2 },
      previous: { specialist_id: 3, workpoint_id: 2 },
    });
    expect(scope).toEqual({ specialists: ["5", "3"], workpoints: ["2"] });
  });

  it.each([
    ["not json", { code: "invalid_json", field: undefined }],
    ["[]", { code: "invalid_field", field: undefined }],
    ['"text"', { code: "invalid_field", field: undefined }],
    ['{"data":{}}', { code: "missing_field", field: "type" }],
    ['{"type":"create\\r\\nevent: x","data":{}}', { code: "invalid_field", field: "type" }],
    ['{"type":"create"}', { code: "missing_field", field: "data" }],
    ['{"type":"create","data":[]}', { code: "invalid_field", field: "data" }],
    ['{"type":"create","data":{"specialist_id":1,"workpoint_id":1}}', { code: "missing_field", field: "data.id" }],
    ['{"type":"create","data":{"id":1,"workpoint_id":1}}', { code: "missing_field", field: "data.specialist_id" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1}}', { code: "missing_field", field: "data.workpoint_id" }],
    ['{"type":"create","data":{"id":1,"specialist_id":true,"workpoint_id":1}}', { code: "invalid_field", field: "data.specialist_id" }],
    ['{"type":"create","data":{"id":1,"specialist_id":"1\\n","workpoint_id":1}}', { code: "invalid_field", field: "data.specialist_id" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":"1:2"}}', { code: "invalid_field", field: "data.workpoint_id" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":"1*"}}', { code: "invalid_field", field: "data.workpoint_id" }],
    ['{"type":"create","data":{"id":1e300,"specialist_id":1,"workpoint_id":1}}', { code: "invalid_field", field: "data.id" }],
    ['{"type":"update","data":{"id":1,"specialist_id":1,"workpoint_id":1},"previous":5}', { code: "invalid_field", field: "previous" }],
    ['{"type":"update","data":{"id":1,"specialist_id":1,"workpoint_id":1},"previous":{"workpoint_id":"x y"}}', { code: "invalid_field", field: "previous.workpoint_id" }],
    ['{"type":"test","data":{},"previous":{}}', { code: "invalid_field", field: "previous" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"__proto__":{"admin":true}}}', { code: "forbidden_key", field: "data.__proto__" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"x":{"constructor":{}}}}', { code: "forbidden_key", field: "data.x.constructor" }],
    ['{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"x":[1,{"a":[{},{"prototype":2}]}]}}', { code: "forbidden_key", field: "data.x[1].a[1].prototype" }],
    ['[0,[{"constructor":1}]]', { code: "forbidden_key", field: "[1][0].constructor" }],
  ])("rejects %s", (text, expected) => {
    expect(codeOf(text)).toEqual(expected);
  });

  it("rejects a message over the size limit", () => {
    const text = JSON.stringify({ type: "create", data: { id: 1, specialist_id: 1, workpoint_id: 1, pad: "x".repeat(70_000) } });
    expect(codeOf(text)).toEqual({ code: "too_large", field: undefined });
  });
  it("names where nesting went too deep", () => {
    const text = '{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"x":[[{"y":[[]]}]]}}';
    expect(safeParseBookingMessage(text, { maxDepth: 5 })).toMatchObject({ ok: false, error: { code: "too_deep", field: "data.x[0][0].y" } });
    expect(safeParseBookingMessage(text, { maxDepth: 6 })).toMatchObject({ ok: false, error: { code: "too_deep", field: "data.x[0][0].y[0]" } });
    expect(safeParseBookingMessage(text, { maxDepth: 7 })).toMatchObject({ ok: true });
  });
  it("rejects deep nesting without overflowing the stack", () => {
    const deep = "[".repeat(30_000) + "]".repeat(30_000);
    const text = `{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"x":${deep}}}`;
    expect(safeParseBookingMessage(text, { maxLength: 1_000_000 })).toMatchObject({ ok: false, error: { code: "too_deep" } });
  });
  it("keeps control characters as data: JSON.stringify escapes them", () => {
    const r = safeParseBookingMessage('{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"note":"a\\r\\nevent: admin\\u0000"}}');
    expect(r.ok && JSON.stringify(r.value.event)).toBe(
      '{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1,"note":"a\\r\\nevent: admin\\u0000"}}',
    );
  });
  it("keeps a valid origin (the acting client's id) after the other fields, on changes and tests", () => {
    const r = safeParseBookingMessage('{"origin":"3f9c2a7d10b84e65aa","type":"update","data":{"id":1,"specialist_id":1,"workpoint_id":1},"previous":{"workpoint_id":2}}');
    expect(r.ok && JSON.stringify(r.value.event)).toBe(
      '{"type":"update","data":{"id":1,"specialist_id":1,"workpoint_id":1},"previous":{"workpoint_id":2},"origin":"3f9c2a7d10b84e65aa"}',
    );
    expect(parseBookingEvent({ type: "test", data: {}, origin: "~ !x" }).event).toEqual({ type: "test", data: {}, origin: "~ !x" });
    expect(parseBookingEvent({ type: "test", data: {}, origin: "o".repeat(64) }).event.origin).toHaveLength(64);
    // As for `previous`, null counts as absent (a PHP publisher without a client id sends it).
    expect(parseBookingEvent({ type: "test", data: {}, origin: null }).event).toEqual({ type: "test", data: {} });
  });
  it.each([[""], ["o".repeat(65)], ["tab\tid"], ["line\nbreak"], ["caf\u00e9"], ["\u0000"], [42], [true], [["a"]], [{}]])(
    "rejects the origin %j with an error naming the field",
    (origin) => {
      const r = safeParseBookingMessage(`{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1},"origin":${JSON.stringify(origin)}}`);
      expect(r.ok ? "ok" : { code: r.error.code, field: r.error.field, message: r.error.message }).toEqual({
        code: "invalid_field",
        field: "origin",
        message: expect.stringContaining("1 to 64 printable ASCII characters"),
      });
    },
  );
  it("parseBookingEvent throws a ProtocolError, never a TypeError", () => {
    expect(() => parseBookingEvent(undefined)).toThrow(ProtocolError);
    expect(() => parseBookingEvent({ type: "create", data: null })).toThrow(ProtocolError);
  });
});

describe("channel messages", () => {
  it("reads the history id added by the atomic publish script", () => {
    const r = safeParseChannelMessage('{"id":"1732800000000-3","type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1}}');
    expect(r.ok && r.value.id).toBe("1732800000000-3");
  });
  it("has no id for a legacy bare PUBLISH", () => {
    const r = safeParseChannelMessage('{"type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1}}');
    expect(r.ok && r.value.id).toBeUndefined();
  });
  it("rejects a forged id that is not a history id", () => {
    const r = safeParseChannelMessage('{"id":"1\\nevent: x","type":"create","data":{"id":1,"specialist_id":1,"workpoint_id":1}}');
    expect(r.ok ? "ok" : r.error.field).toBe("id");
  });
});
