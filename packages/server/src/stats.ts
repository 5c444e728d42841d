import type { ViewerRole } from "@realtime-bookings/protocol";

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
  /** Channel or history messages rejected by validation. */
  readonly messagesRejected: number;
  /** Connections dropped because they did not read fast enough. */
  readonly slowReadersDropped: number;
  /** Connections that resumed from an id. */
  readonly replays: number;
  /** `resync` messages sent. */
  readonly resyncs: number;
  /** Connections refused with 429 by a connection cap. */
  readonly connectionsRefused: number;
  /** Events published through this hub's `publish()`. */
  readonly published: number;
  /** Whether the broker's subscription is up. */
  readonly brokerUp: boolean;
}

/** The mutable counters behind {@link HubStats}. @internal */
export type Counters = { -readonly [K in Exclude<keyof HubStats, "connections" | "brokerUp">]: number };

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
});
