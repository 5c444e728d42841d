import type { ViewerRole } from "@realtime-bookings/protocol";
import type { PublishRefusal } from "./publishing/publish-refusals.js";
import type { TicketRefusal } from "./tickets/ticket-reasons.js";

/**
 * Counters of one hub since it started, for `/metrics` and tests. Deliveries count frames written to
 * connections; `eventsDropped` counts frames not written because a connection was gone or too slow.
 */
export interface HubStats {
  /** Open SSE connections by role. */
  readonly connections: Readonly<Record<ViewerRole, number>>;
  /** Valid events received on the channel (including recovered ones). */
  readonly eventsReceived: number;
  /** Events the hub missed while its subscription was down and read back from the history. */
  readonly eventsRecovered: number;
  /** Frames written to connections (one per event per connection that may see it). */
  readonly eventsDelivered: number;
  /** Frames that could not be written (connection closing or dropped). */
  readonly eventsDropped: number;
  /** Channel, history or Laravel broadcast messages rejected by validation. */
  readonly messagesRejected: number;
  /** Connections dropped because they did not read fast enough. */
  readonly slowReadersDropped: number;
  /** Connections that resumed from an id. */
  readonly replays: number;
  /** `resync` messages sent. */
  readonly resyncs: number;
  /** Connections refused with 429 by a connection cap. */
  readonly connectionsRefused: number;
  /** Events published through this hub (`publish()` and the publish endpoint). */
  readonly published: number;
  /** Requests to the publish endpoint refused (bad credentials, method, type, size or event). */
  readonly publishesRefused: number;
  /** `event: reauth` notices sent to streams whose credentials were about to expire. */
  readonly reauths: number;
  /** Streams closed by a drain (`hub.drain()`), to reconnect to another hub. */
  readonly streamsDrained: number;
  /** Stream tickets issued by `POST <prefix>/ticket`. */
  readonly ticketsIssued: number;
  /** Tickets (and `?token=` requests) refused, by reason. */
  readonly ticketsRefused: Readonly<Record<TicketRefusal, number>>;
  /** Requests to the publish endpoint refused, by reason (they add up to `publishesRefused`). */
  readonly publishesRefusedBy: Readonly<Record<PublishRefusal, number>>;
  /** Whether the broker's subscription is up. */
  readonly brokerUp: boolean;
  /** Whether the hub is draining (it opens no new stream). */
  readonly draining: boolean;
  /** The age of the oldest backlog among open streams, in ms (0 when every reader keeps up). */
  readonly oldestBacklogMs: number;
  /** Publish → socket-write lag of each event, from its history id's time to its fan-out. */
  readonly deliveryLag: LagHistogram;
}

/**
 * A histogram of delivery lags in ms: `counts[i]` events took at most `bounds[i]` ms (cumulative, as
 * Prometheus buckets are); `count` events in all, `sum` ms in all. The id's time is Redis's clock, the
 * write's is the hub's: keep the clocks in sync (NTP) or the figures shift by the skew.
 */
export interface LagHistogram {
  readonly bounds: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
}

/** The mutable counters behind {@link HubStats}. @internal */
export type Counters = { -readonly [K in Exclude<keyof HubStats, "connections" | "brokerUp" | "draining" | "oldestBacklogMs" | "deliveryLag" | "ticketsRefused" | "publishesRefusedBy">]: number };

/** @internal */
export const newCounters = (): Counters => ({
  eventsReceived: 0,
  eventsRecovered: 0,
  eventsDelivered: 0,
  eventsDropped: 0,
  messagesRejected: 0,
  slowReadersDropped: 0,
  replays: 0,
  resyncs: 0,
  connectionsRefused: 0,
  published: 0,
  publishesRefused: 0,
  reauths: 0,
  streamsDrained: 0,
  ticketsIssued: 0,
});
