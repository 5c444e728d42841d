import { type EventId, NO_EVENT_YET, compareEventIds, parseEventId } from "@realtime-bookings/protocol";
import type { HistoryEntry, HistoryPage } from "./types.js";

/**
 * Decides what a resume gets from two bounded reads of the history: the entries after `after`
 * (`limit + 1` asked for) and the oldest entry. Shared by every Redis adapter. After
 * {@link NO_EVENT_YET} there is never a gap: the page starts at the beginning of the history.
 *
 * @internal
 */
export function historyPage(after: EventId, range: readonly HistoryEntry[], oldest: EventId | undefined, limit: number): HistoryPage {
  if (oldest === undefined) return { status: "lost" };
  if (after !== NO_EVENT_YET && compareEventIds(after, oldest) < 0) return { status: "gap" };
  return { status: "ok", entries: range.slice(0, limit), truncated: range.length > limit };
}

/** Turns one stream entry into a {@link HistoryEntry}, dropping entries that are not ours. @internal */
export function toEntry(id: string, json: string | undefined): HistoryEntry | undefined {
  const eventId = parseEventId(id);
  return eventId && json !== undefined ? { id: eventId, json } : undefined;
}
