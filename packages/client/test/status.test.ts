import { describe, expect, test } from "vitest";
import { RealtimeBookingsError, type RealtimeStatus, type StatusSnapshot, type StreamPhase, type LinkState, deriveStatus, statusColor } from "../src/index.js";

const base: StatusSnapshot = { enabled: true, fatal: undefined, online: true, paused: false, link: { fallback: false, stream: "idle" }, failures: 0 };
const stream = (phase: StreamPhase): LinkState => ({ fallback: false, stream: phase });
const fallback = (phase: Exclude<StreamPhase, "open">, pollOk = false): LinkState => ({ fallback: true, stream: phase, pollOk });
const fatal = new RealtimeBookingsError("unauthorized", { status: 401 });

describe("deriveStatus", () => {
  test.each<[string, Partial<StatusSnapshot>, RealtimeStatus]>([
    ["starting", {}, "connecting"],
    ["first attempt in flight", { link: stream("connecting") }, "connecting"],
    ["open stream", { link: stream("open") }, "live"],
    ["a failure, waiting to retry", { link: stream("waiting"), failures: 1 }, "reconnecting"],
    ["a retry in flight", { link: stream("connecting"), failures: 2 }, "reconnecting"],
    ["fallback, last poll fine", { link: fallback("waiting", true), failures: 3 }, "polling"],
    ["fallback, SSE retried in the background", { link: fallback("connecting", true), failures: 3 }, "polling"],
    ["fallback, first poll pending", { link: fallback("waiting"), failures: 3 }, "reconnecting"],
    ["fallback, polls failing too", { link: fallback("waiting", false), failures: 5 }, "reconnecting"],
    ["polling only (no SSE transport), first poll pending", { link: fallback("idle") }, "connecting"],
    ["polling only, polls failing", { link: fallback("idle"), failures: 1 }, "reconnecting"],
    ["stopped by a 401", { fatal, link: stream("idle") }, "error"],
    ["offline", { online: false }, "offline"],
    ["paused in a hidden tab", { paused: true }, "paused"],
    ["disabled", { enabled: false }, "disabled"],
  ])("%s → %s", (_name, facts, expected) => {
    expect(deriveStatus({ ...base, ...facts })).toBe(expected);
  });

  test("precedence: disabled > error > offline > paused > live > polling > (re)connecting", () => {
    const everything: StatusSnapshot = { enabled: true, fatal, online: false, paused: true, link: stream("open"), failures: 4 };
    const chain: RealtimeStatus[] = [];
    let facts = { ...everything, enabled: false };
    chain.push(deriveStatus(facts));
    facts = { ...facts, enabled: true };
    chain.push(deriveStatus(facts));
    facts = { ...facts, fatal: undefined };
    chain.push(deriveStatus(facts));
    facts = { ...facts, online: true };
    chain.push(deriveStatus(facts));
    facts = { ...facts, paused: false };
    chain.push(deriveStatus(facts));
    facts = { ...facts, link: fallback("waiting", true) };
    chain.push(deriveStatus(facts));
    facts = { ...facts, link: stream("waiting") };
    chain.push(deriveStatus(facts));
    facts = { ...facts, failures: 0 };
    chain.push(deriveStatus(facts));
    expect(chain).toEqual(["disabled", "error", "offline", "paused", "live", "polling", "reconnecting", "connecting"]);
  });
});

test("statusColor: the seed's colours", () => {
  const statuses: RealtimeStatus[] = ["live", "polling", "connecting", "reconnecting", "offline", "error", "paused", "disabled"];
  expect(Object.fromEntries(statuses.map((s) => [s, statusColor(s)]))).toEqual({
    live: "green",
    polling: "green",
    connecting: "yellow",
    reconnecting: "yellow",
    offline: "red",
    error: "red",
    paused: "grey",
    disabled: "grey",
  });
});
