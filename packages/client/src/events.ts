import type { BookingEvent, ResyncReason } from "@realtime-bookings/protocol";
import type { RealtimeBookingsError } from "./errors.js";
import type { RealtimeStatus } from "./status.js";

/**
 * The SSE transport a client uses: the native `EventSource`, or `fetch` with a stream parser.
 *
 * @example
 * ```ts
 * if (realtime.transport === "eventsource") console.info("cookies only; no heartbeat watchdog");
 * ```
 */
export type TransportName = "eventsource" | "fetch";

/**
 * One booking event as it arrived on the stream (`create`, `update`, `delete`, or the diagnostic
 * `test`), with the hub's event id. `id` is `undefined` for events published by a legacy bare Redis
 * `PUBLISH`, which cannot be resumed.
 *
 * @example
 * ```ts
 * client.on("change", (change) => {
 *   if (change.type === "delete") removeRow(change.data.id);
 * });
 * ```
 */
export type ChangeEvent = BookingEvent & {
  /** The hub's event id (`1732800000000-0`), if the event had one. */
  readonly id: string | undefined;
  /**
   * Present (and `true`) when this page made the change: the event's `origin` is this client's
   * {@link RealtimeBookings.clientId} (the app sent it as `X-Realtime-Client` with its write). Such a
   * change is not refreshed: the page that made it already shows it.
   */
  readonly own?: true;
};

/**
 * Why a refresh was requested:
 * - `change`: one or more booking events arrived (including malformed ones, to be safe);
 * - `resync`: the hub could not replay what was missed while disconnected;
 * - `version`: the version endpoint reported a version other than the one last seen.
 *
 * @example
 * ```ts
 * onRefresh: ({ reasons }) => (reasons.includes("resync") ? location.reload() : reloadBookings())
 * ```
 */
export type RefreshReason = "change" | "resync" | "version";

/**
 * What `onRefresh` (and the `refresh` event) receives: every reason and booking change coalesced into
 * this one refresh, oldest first.
 *
 * @example
 * ```ts
 * realtime.on("refresh", ({ reasons, changes }) => console.log(`refresh (${reasons.join(", ")}): ${changes.length} changes`));
 * ```
 */
export interface RefreshInfo {
  /** The distinct reasons, in the order they first occurred. */
  readonly reasons: readonly RefreshReason[];
  /**
   * The booking events of the burst, including `test` events (a `redis-cli PUBLISH` of a test event
   * refreshes the page, which is how the original system was checked end to end); empty for
   * `resync` and `version`.
   */
  readonly changes: readonly ChangeEvent[];
}

/**
 * The payload of the `resync` event.
 *
 * @example
 * ```ts
 * realtime.on("resync", ({ reason }) => console.warn("missed events could not be replayed:", reason));
 * ```
 */
export interface ResyncEvent {
  /**
   * Why the hub could not replay (passed through as the hub sent it, so a reason added by a newer hub
   * arrives too); `unknown` when its message carried none.
   */
  readonly reason: ResyncReason | "unknown";
}

/**
 * What caused a status change:
 * `start`, `enable`, `disable`, `close` (also an aborted `signal`), `open` (the stream opened, or
 * delivered its first event after a stall), `dropped` (the stream failed or ended: see `error`),
 * `retry_after` (the hub refused the attempt with 429 or 503 and a `Retry-After`: the next attempt
 * waits that long instead of the backoff; fetch transport only),
 * `stalled` (the stream opened but delivered nothing, not even a heartbeat, for twice the hub's
 * heartbeat interval: reconnecting), `timeout` (an attempt did not open within `requestTimeoutMs`,
 * as a seventh tab's stream on an HTTP/1.1 hub does: counted as a failure), `fallback` (polling began
 * after `fallbackAfter` failures), `buffered` (polling began because the stream stalled again right
 * after reconnecting: something between the hub and the browser buffers it), `poll` (a poll succeeded
 * or failed), `offline`, `online`, `hidden`, `visible` (back from `paused`, or from the back-forward
 * cache), and `fatal` (the client stopped: see `error`).
 *
 * @example
 * ```ts
 * realtime.on("status", ({ reason, error }) => reason === "dropped" && console.debug("stream lost:", error?.code));
 * ```
 */
export type StatusReason =
  | "start"
  | "enable"
  | "disable"
  | "close"
  | "open"
  | "dropped"
  | "retry_after"
  | "stalled"
  | "timeout"
  | "fallback"
  | "buffered"
  | "poll"
  | "offline"
  | "online"
  | "hidden"
  | "visible"
  | "fatal";

/**
 * The payload of the `status` event, which fires only when the status actually changes.
 *
 * @example
 * ```ts
 * realtime.on("status", ({ previous, current, reason }) => console.log(`${previous} → ${current} (${reason})`));
 * // connecting → live (open), live → reconnecting (dropped), reconnecting → polling (poll)…
 * ```
 */
export interface StatusChangeEvent {
  /** The status before. */
  readonly previous: RealtimeStatus;
  /** The status now. */
  readonly current: RealtimeStatus;
  /** What caused the change. */
  readonly reason: StatusReason;
  /** The error behind a `dropped` or `fatal` change, if any. */
  readonly error: RealtimeBookingsError | undefined;
}

/**
 * The events of a {@link RealtimeBookings} client and their payloads:
 * - `change`: every booking event, as it arrives (not coalesced);
 * - `refresh`: once per coalesced burst, just before `onRefresh` is called;
 * - `resync`: the hub could not replay missed events (a refresh follows);
 * - `status`: the public status changed;
 * - `error`: something failed; the client recovers unless `error.fatal`.
 *
 * @example
 * ```ts
 * const log = <K extends keyof RealtimeBookingsEventMap>(type: K) => realtime.on(type, (payload) => console.log(type, payload));
 * ```
 */
export interface RealtimeBookingsEventMap {
  /** Every booking event, as it arrives. */
  change: ChangeEvent;
  /** Once per coalesced burst, just before `onRefresh`. */
  refresh: RefreshInfo;
  /** The hub could not replay what was missed; a refresh follows. */
  resync: ResyncEvent;
  /** The public status changed. */
  status: StatusChangeEvent;
  /** Something failed; the client recovers unless `error.fatal`. */
  error: RealtimeBookingsError;
}
