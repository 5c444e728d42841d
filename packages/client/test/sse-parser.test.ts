// The client's SSE parser against the rules of HTML §9.2.6 that bite (see the field notes).
import { expect, test } from "vitest";
import { RealtimeBookingsError } from "../src/index.js";
import { createSseParser } from "../src/sse-parser.js";

const parse = (...chunks: string[]) => {
  const seen: Array<[string, string, string | undefined] | ["retry", number] | ["comment"]> = [];
  const feed = createSseParser({
    event: (name, data, id) => seen.push([name, data, id]),
    retry: (ms) => seen.push(["retry", ms]),
    comment: () => seen.push(["comment"]),
  });
  for (const chunk of chunks) feed(chunk);
  return seen;
};

test("LF, CRLF and a lone CR all end a line, also with CRLF split across chunks", () => {
  const expected = [["booking", "a", "1-0"], ["message", "b", undefined], ["x", "c", undefined]];
  expect(parse("event: booking\nid: 1-0\ndata: a\n\ndata: b\n\nevent: x\ndata: c\n\n")).toEqual(expected);
  expect(parse("event: booking\r\nid: 1-0\r\ndata: a\r\n\r\ndata: b\r\n\r\nevent: x\r\ndata: c\r\n\r\n")).toEqual(expected);
  expect(parse("event: booking\rid: 1-0\rdata: a\r\rdata: b\r\revent: x\rdata: c\r\r")).toEqual(expected);
  expect(parse("event: booking\r", "\nid: 1-0\r", "\ndata: a\r", "\n\r", "\ndata: b\r\n\r\nevent: x\r\ndata: c\r\n\r", "\n")).toEqual(expected);
  // One byte at a time.
  expect(parse(..."event: booking\r\nid: 1-0\r\ndata: a\r\n\r\ndata: b\n\nevent: x\rdata: c\r\r")).toEqual(expected);
});

test("data lines join with LF; one leading space is dropped; a field without a colon has an empty value", () => {
  expect(parse("data:  two spaces\ndata:none\ndata\n\n")).toEqual([["message", " two spaces\nnone\n", undefined]]);
});

test("an event without data is not dispatched; a partial event at the end is never dispatched", () => {
  expect(parse("event: booking\nid: 5-0\n\ndata: partial")).toEqual([]);
});

test("comments, retry only when all digits, ids with NUL ignored, unknown fields ignored", () => {
  expect(parse(": ping\n\nretry: 1500\nretry: 15x\nretry: -1\nid: a\0b\nfoo: bar\ndata: x\n\n")).toEqual([["comment"], ["retry", 1500], ["message", "x", undefined]]);
  expect(parse("id: 1-0\nid: 2\0\ndata: x\n\n")).toEqual([["message", "x", "1-0"]]);
});

test("an event's id is its own: the next event without an id reports none", () => {
  expect(parse("id: 1-0\ndata: a\n\ndata: b\n\n")).toEqual([["message", "a", "1-0"], ["message", "b", undefined]]);
});

test("a line or an event growing past 1 MiB is refused with a typed error", () => {
  const feed = createSseParser({ event: () => undefined, retry: () => undefined, comment: () => undefined });
  const big = "x".repeat(1 << 19);
  feed(`data: ${big}\n`);
  expect(() => feed(`data: ${big}\ndata: ${big}`)).toThrow(RealtimeBookingsError);
  expect(() => createSseParser({ event: () => undefined, retry: () => undefined, comment: () => undefined })("y".repeat((1 << 20) + 1))).toThrow(
    expect.objectContaining({ code: "invalid_response" }),
  );
});
