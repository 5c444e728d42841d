import { describe, expect, it } from "vitest";
import { canView, parseBookingEvent, safeParseViewer, type Viewer } from "../src/index.js";

const viewer = (v: Viewer) => {
  const r = safeParseViewer(v);
  if (!r.ok) throw r.error;
  return r.value;
};

const admin = viewer({ role: "admin" });
const sup1 = viewer({ role: "supervisor", workpoint_id: 1 });
const sup12 = viewer({ role: "supervisor", workpoint_id: 12 });
const sup2 = viewer({ role: "supervisor", workpoint_id: "2" });
const spec3 = viewer({ role: "specialist", specialist_id: 3 });
const spec5 = viewer({ role: "specialist", specialist_id: "5" });
const spec33 = viewer({ role: "specialist", specialist_id: 33 });

const created = parseBookingEvent({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } }).scope;
const stringIds = parseBookingEvent({ type: "update", data: { id: "1", specialist_id: "3", workpoint_id: "1" } }).scope;
const moved = parseBookingEvent({
  type: "update",
  data: { id: 1, specialist_id: 5, workpoint_id: 2 },
  previous: { specialist_id: 3, workpoint_id: 1 },
}).scope;
const movedSpecialistOnly = parseBookingEvent({
  type: "update",
  data: { id: 1, specialist_id: 5, workpoint_id: 1 },
  previous: { specialist_id: 3 },
}).scope;
const bareTest = parseBookingEvent({ type: "test", data: { test: true } }).scope;
const scopedTest = parseBookingEvent({ type: "test", data: { specialist_id: 3 } }).scope;

describe("canView: specialists their own, supervisors their workpoint's, admins all", () => {
  // rows: viewers; columns: created, stringIds, moved, movedSpecialistOnly, bareTest, scopedTest
  const table: Array<[string, ReturnType<typeof viewer>, boolean[]]> = [
    ["admin", admin, [true, true, true, true, true, true]],
    ["supervisor of 1", sup1, [true, true, true, true, false, false]],
    ["supervisor of 12 (not 1)", sup12, [false, false, false, false, false, false]],
    ["supervisor of 2 (move target)", sup2, [false, false, true, false, false, false]],
    ["specialist 3", spec3, [true, true, true, true, false, true]],
    ["specialist 5 (move target)", spec5, [false, false, true, true, false, false]],
    ["specialist 33 (not 3)", spec33, [false, false, false, false, false, false]],
  ];
  const events = [created, stringIds, moved, movedSpecialistOnly, bareTest, scopedTest];
  for (const [name, v, expected] of table) {
    it(name, () => {
      expect(events.map((scope) => canView(v, scope))).toEqual(expected);
    });
  }
});

describe("safeParseViewer", () => {
  it("ignores fields outside the role so nothing widens a viewer's scope", () => {
    expect(safeParseViewer({ role: "specialist", specialist_id: 3, workpoint_id: 1 })).toEqual({
      ok: true,
      value: { role: "specialist", specialist_id: "3" },
    });
  });
  it.each([
    [null, "invalid_field", undefined],
    [{}, "missing_field", "role"],
    [{ role: "root" }, "invalid_field", "role"],
    [{ role: "supervisor" }, "missing_field", "workpoint_id"],
    [{ role: "specialist", specialist_id: "3:1" }, "invalid_field", "specialist_id"],
    [{ role: "specialist", specialist_id: -1 }, "invalid_field", "specialist_id"],
    [{ role: "specialist", specialist_id: 1.5 }, "invalid_field", "specialist_id"],
    [{ role: "supervisor", workpoint_id: "1*" }, "invalid_field", "workpoint_id"],
  ])("rejects %j with %s on %s", (input, code, field) => {
    const r = safeParseViewer(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect({ code: r.error.code, field: r.error.field }).toEqual({ code, field });
  });
});
