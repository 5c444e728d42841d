import { type EventId, type EventScope, type JsonLimits, NO_EVENT_YET, type ProtocolError, type ResyncReason, safeParseBookingMessage } from "@realtime-bookings/protocol";
import type { HistoryEntry, HistoryPage } from "../../brokers/types.js";
import { type Frame, bookingFrame } from "../frames.js";

/** One history event, parsed and framed once for every connection that resumes past it. @internal */
export interface ReplayEvent {
  readonly scope: EventScope;
  readonly frame: Frame;
}

/** A history entry checked and framed once: what the feed delivers and a resume replays. @internal */
export interface ReadEntry extends ReplayEvent {
  readonly id: EventId;
}

/**
 * The one reader of history entries, for the feed and for resumes alike: the entry is untrusted like
 * any channel message (a publisher may run the script with anything), so it is validated, then framed.
 *
 * @returns the framed event, or the reason it was refused
 * @internal
 */
export function readHistoryEntry(entry: HistoryEntry, limits: JsonLimits): ReadEntry | ProtocolError {
  const parsed = safeParseBookingMessage(entry.json, limits);
  if (!parsed.ok) return parsed.error;
  return { id: entry.id, scope: parsed.value.scope, frame: bookingFrame(entry.id, parsed.value.event) };
}

/**
 * Why a history read cannot tell what came after `after`, if it cannot: the id is older than the history
 * reaches (`history_exceeded`), or the history is gone (`history_lost`). An empty history read after
 * {@link NO_EVENT_YET} lost nothing: nothing was ever stored.
 *
 * @internal
 */
export function resyncReasonOf(page: HistoryPage, after: EventId): ResyncReason | undefined {
  if (page.status === "gap") return "history_exceeded";
  if (page.status === "lost" && after !== NO_EVENT_YET) return "history_lost";
  return undefined;
}
