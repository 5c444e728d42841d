import { type ParsedEvent, safeParseBookingEvent } from "./event.js";
import { type EventId, parseEventId } from "./event-id.js";
import { type ParseResult, fail } from "./errors.js";
import { type JsonLimits, safeParseJson } from "./json.js";

/**
 * A message received on the bookings channel: the event, and its id when it was published through
 * the atomic publish script (which stores it in the history first). A legacy bare `PUBLISH` carries no
 * id: it is delivered live but cannot be replayed.
 */
export interface ChannelMessage extends ParsedEvent {
  /** The history entry id, absent for a legacy bare `PUBLISH`. */
  readonly id: EventId | undefined;
}

/**
 * Parses a raw channel message: the seed's `{"type":…,"data":{…}}`, optionally with a top-level
 * `"id"` added by the atomic publish script. Untrusted: size, depth, keys and every field are checked.
 *
 * @param text - the raw pub/sub payload
 * @param limits - size and depth limits
 */
export function safeParseChannelMessage(text: string, limits?: JsonLimits): ParseResult<ChannelMessage> {
  const json = safeParseJson(text, limits);
  if (!json.ok) return json;
  const raw = json.value;
  let id: EventId | undefined;
  if (typeof raw === "object" && raw !== null && !Array.isArray(raw) && raw["id"] !== undefined) {
    id = parseEventId(raw["id"]);
    if (id === undefined) return fail("invalid_field", 'id must be a history entry id such as "1732800000000-0"', "id");
  }
  const parsed = safeParseBookingEvent(raw);
  return parsed.ok ? { ok: true, value: { event: parsed.value.event, scope: parsed.value.scope, id } } : parsed;
}

/** The SSE event names the hub sends; clients listen for exactly these. */
export const SSE_EVENTS = {
  /**
   * The stream is live: sent once per connection, after any replay. On a fresh connection (and after a
   * resync) it carries an `id:`, the viewer's resume point, so a client that has received nothing yet
   * can still resume on another hub without losing what is published meanwhile. `data` is
   * `{"heartbeatMs":25000}`: the hub's heartbeat interval, so a client can tell a stalled stream
   * (nothing for twice that long) from a quiet one.
   */
  ready: "ready",
  /**
   * Sent to every connection every `heartbeatMs` (no `id:`, `data` is `{}`). A named event rather
   * than a comment, so that a native `EventSource` sees it too.
   */
  heartbeat: "heartbeat",
  /** A booking change: `data` is the event's JSON (`type`, `data`, `previous`). */
  booking: "booking",
  /** The hub cannot replay what the client missed: reload once. `data` is `{"reason":…}`. */
  resync: "resync",
  /**
   * The stream's credentials expire soon: `data` is `{"expiresAt": <ms since the epoch>}`. Open the next
   * stream with fresh credentials (resuming from the last id) and close this one once that is live;
   * the hub ends this one at `expiresAt`.
   */
  reauth: "reauth",
} as const;

/**
 * Why a hub asked a client to reload instead of replaying:
 * - `history_exceeded`: the client's last id is older than the history holds, or it missed more than
 *   one replay may carry;
 * - `history_lost`: the history is gone (Redis restarted without persistence);
 * - `invalid_id`: the `Last-Event-ID` was not an id this protocol issues.
 */
export type ResyncReason = "history_exceeded" | "history_lost" | "invalid_id";
