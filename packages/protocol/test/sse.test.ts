import { createParser, type EventSourceMessage } from "eventsource-parser";
import { describe, expect, it } from "vitest";
import { ProtocolError, encodeSseMessage } from "../src/index.js";

/** Parses frames with a spec-compliant parser, as a browser would. */
function parse(text: string): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  parser.feed(text);
  return events;
}

describe("encodeSseMessage", () => {
  it("encodes a booking event byte for byte", () => {
    expect(encodeSseMessage({ event: "booking", id: "1-0", data: '{"a":1}' })).toBe('event: booking\nid: 1-0\ndata: {"a":1}\n\n');
  });
  it("encodes retry and comments", () => {
    expect(encodeSseMessage({ retry: 3000 })).toBe("retry: 3000\n\n");
    expect(encodeSseMessage({ comment: "ping" })).toBe(": ping\n\n");
    expect(encodeSseMessage({ comment: "a\nb" })).toBe(": a\n: b\n\n");
  });
  it("keeps a leading space of the data (the parser strips only the one after the colon)", () => {
    expect(parse(encodeSseMessage({ data: " x" }))[0]?.data).toBe(" x");
  });
  it.each(["\n", "\r", "\r\n"])("splits data on %j so it cannot inject a field", (br) => {
    const hostile = `line1${br}event: admin${br}id: 999${br}${br}data: injected`;
    const frame = encodeSseMessage({ event: "booking", id: "1-0", data: hostile });
    const events = parse(frame);
    expect(events).toEqual([{ event: "booking", id: "1-0", data: ["line1", "event: admin", "id: 999", "", "data: injected"].join("\n") }]);
  });
  it.each([
    ["event", "booking\nid: 1"],
    ["event", "a\rb"],
    ["id", "1\n\ndata: x"],
    ["id", "1\r"],
    ["id", "1\0"],
  ] as const)("rejects CR/LF/NUL in %s (%j)", (field, value) => {
    const call = () => encodeSseMessage({ [field]: value, data: "x" });
    expect(call).toThrow(ProtocolError);
    try {
      call();
    } catch (error) {
      expect({ code: (error as ProtocolError).code, field: (error as ProtocolError).field }).toEqual({ code: "invalid_frame", field });
    }
  });
  it.each([-1, 1.5, Number.NaN])("rejects retry %s", (retry) => {
    expect(() => encodeSseMessage({ retry })).toThrow(ProtocolError);
  });
});
