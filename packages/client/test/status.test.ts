import { describe, expect, test } from "vitest";
import { RealtimeBookingsError, type RealtimeStatus, type StatusSnapshot, deriveStatus, statusColor } from "../src/index.js";

const base: StatusSnapshot = { enabled: true, fatal: undefined, online: true, paused: false, stream: "idle", failures: 0, fallback: false, pollOk: false };
const fatal = new RealtimeBookingsError("unauthorized", { status: 401 });

describe("deriveStatus", () => {
  test.each<[string, Partial<StatusSnapshot>, RealtimeStatus]>([
    ["starting", {}, "connecting"],
    ["first attempt in flight", { stream: "connecting" }, "connecting"],
    ["open stream", { stream: "open" }, "live"],
    ["a failure, waiting to retry", { stream: "waiting", failures: 1 }, "reconnecting"],
    ["a retry in flight", { stream: "connecting", failures: 2 }, "reconnecting"],
    ["fallback, last poll fine", { stream: "waiting", failures: 3, fallback: true, pollOk: true }, "polling"],
    ["fallback, SSE retried in the background", { stream: "connecting", failures: 3, fallback: true, pollOk: true }, "polling"],
    ["fallback, first poll pending", { stream: "waiting", failures: 3, fallback: true }, "reconnecting"],
    ["fallback, polls failing too", { stream: "waiting", failures: 5, fallback: true, pollOk: false }, "reconnecting"],
    ["polling only (no SSE transport), first poll pending", { fallback: true }, "connecting"],
    ["polling only, polls failing", { fallback: true, failures: 1 }, "reconnecting"],
    ["stopped by a 401", { fatal, stream: "idle" }, "error"],
    ["offline", { online: false }, "offline"],
    ["paused in a hidden tab", { paused: true }, "paused"],
    ["disabled", { enabled: false }, "disabled"],
  ])("%s → %s", (_name, facts, expected) => {
    expect(deriveStatus({ ...base, ...facts })).toBe(expected);
  });

  test("precedence: disabled > error > offline > paused > live > polling > (re)connecting", () => {
    const everything: StatusSnapshot = { enabled: true, fatal, online: false, paused: true, stream: "open", failures: 4, fallback: true, pollOk: true };
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
    facts = { ...facts, stream: "waiting" };
    chain.push(deriveStatus(facts));
    facts = { ...facts, fallback: false };
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
