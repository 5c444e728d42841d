import { type EventScope, type ViewerScope, canView, parseBookingEvent, safeParseViewer } from "@realtime-bookings/protocol";
import type { LedgerEntry } from "@realtime-bookings/test-utils";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** What one client's ledger shows against what it should hold. */
export interface LedgerReport {
  expected: number;
  received: number;
  /** Events it should have and never got, with no resync to explain it. */
  lost: number;
  /** Events it got more than once. */
  duplicates: number;
  /** Events it got after a later one. */
  outOfOrder: number;
  /** Events it got that its scope may not see. */
  forbidden: number;
  /** `resync` messages it got. */
  resyncs: number;
}

/** The viewer scope named by a reader's `as` value. */
export function viewerOf(as: string): ViewerScope {
  const viewer = as === "admin" ? { role: "admin" } : as.startsWith("sup-") ? { role: "supervisor", workpoint_id: as.slice(4) } : { role: "specialist", specialist_id: as.slice(5) };
  const parsed = safeParseViewer(viewer);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
}

/** The sequence numbers (in publish order) a viewer may see, given every event published. */
export function expectedFor(viewer: ViewerScope, published: ReadonlyArray<{ seq: number; scope: EventScope }>): number[] {
  return published.filter((e) => canView(viewer, e.scope)).map((e) => e.seq);
}

/** The scope of an event, for {@link expectedFor}. */
export const scopeOf = (event: unknown): EventScope => parseBookingEvent(event).scope;

/**
 * Checks a ledger: every expected event exactly once and in order, except where a `resync` stands in
 * for what could not be replayed.
 */
export function checkLedger(entries: readonly LedgerEntry[], expected: readonly number[]): LedgerReport {
  return checkSequence(
    entries.map((entry) => (entry.kind === "resync" ? "resync" : (JSON.parse(entry.data) as { data: { seq: number } }).data.seq)),
    expected,
  );
}

/**
 * {@link checkLedger} on what a client received, reduced to each booking's sequence number (or
 * `"resync"`) in arrival order.
 */
export function checkSequence(items: ReadonlyArray<number | "resync">, expected: readonly number[]): LedgerReport {
  const position = new Map(expected.map((seq, i) => [seq, i]));
  const seen = new Set<number>();
  const report: LedgerReport = { expected: expected.length, received: 0, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 };
  let last = -1;
  let resyncSinceLast = false;
  for (const seq of items) {
    if (seq === "resync") {
      report.resyncs += 1;
      resyncSinceLast = true;
      continue;
    }
    const at = position.get(seq);
    if (at === undefined) {
      report.forbidden += 1;
      continue;
    }
    if (seen.has(seq)) {
      report.duplicates += 1;
      continue;
    }
    seen.add(seq);
    report.received += 1;
    if (at < last) report.outOfOrder += 1;
    else {
      if (at > last + 1 && !resyncSinceLast) report.lost += at - last - 1;
      last = at;
    }
    resyncSinceLast = false;
  }
  if (last < expected.length - 1 && !resyncSinceLast) report.lost += expected.length - 1 - last;
  return report;
}

/** Adds reports up. */
export function totals(reports: readonly LedgerReport[]): LedgerReport {
  const sum: LedgerReport = { expected: 0, received: 0, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 };
  for (const r of reports) for (const k of Object.keys(sum) as Array<keyof LedgerReport>) sum[k] += r[k];
  return sum;
}

/** Keeps the figures a test measured in `test/reliability/results/<name>.json` (not committed). */
export function recordFigures(name: string, figures: unknown): void {
  const dir = fileURLToPath(new URL("../results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[reliability] ${name}: ${JSON.stringify(figures)}`);
}
