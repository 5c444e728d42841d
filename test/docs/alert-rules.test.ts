// The Prometheus alert rules of docs/deployment.md: a rule file Prometheus would load (every rule with
// its fields), and every metric an expression names is one the hub serves today (a renamed metric
// would otherwise leave an alert that never fires).
import { readFileSync } from "node:fs";
import { createBookingHub, prometheusMetrics } from "@realtime-bookings/server";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { root } from "./support/run.js";

interface Rule {
  alert?: unknown;
  expr?: unknown;
  for?: unknown;
  labels?: { severity?: unknown };
  annotations?: { summary?: unknown };
}

/** The one YAML block of the page that holds rule groups, parsed. */
function documentedRules(): { groups: Array<{ name: string; rules: Rule[] }> } {
  const blocks = [...readFileSync(`${root}docs/deployment.md`, "utf8").matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  const ruleBlocks = blocks.filter((b) => /^groups:/m.test(b));
  expect(ruleBlocks).toHaveLength(1);
  return parse(ruleBlocks[0] as string) as { groups: Array<{ name: string; rules: Rule[] }> };
}

/** The metric families the hub serves, with the suffixes a histogram's samples carry. */
function servedNames(): Set<string> {
  const hub = createBookingHub({ authenticate: () => ({ role: "admin" }) });
  const text = prometheusMetrics(hub.stats());
  void hub.close();
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(`${name}${suffix}`);
  }
  return names;
}

describe("the alert rules of docs/deployment.md", () => {
  it("form a rule file: named groups of rules, each with a name, an expression, a duration, a severity and a summary", () => {
    const { groups } = documentedRules();
    const shapes = groups.flatMap((g) =>
      g.rules.map((r) => ({
        group: typeof g.name,
        alert: typeof r.alert === "string" && /^[A-Za-z][A-Za-z0-9]*$/.test(r.alert),
        expr: typeof r.expr,
        for: typeof r.for === "string" && /^\d+[smh]$/.test(r.for),
        severity: ["warning", "critical"].includes(r.labels?.severity as string),
        summary: typeof r.annotations?.summary,
      })),
    );
    expect(shapes.length).toBeGreaterThanOrEqual(5);
    for (const shape of shapes) expect(shape).toEqual({ group: "string", alert: true, expr: "string", for: true, severity: true, summary: "string" });
  });

  it("name only metrics the hub serves", () => {
    const served = servedNames();
    const named = documentedRules().groups.flatMap((g) => g.rules.flatMap((r) => String(r.expr).match(/\brealtime_bookings_[a-z_]+/g) ?? []));
    expect(named.length).toBeGreaterThanOrEqual(5);
    expect(named.filter((name) => !served.has(name))).toEqual([]);
  });
});
