// Builds a client wired to the msw hub and the fake browser, recording what the app would see.
import { vi } from "vitest";
import {
  RealtimeBookings,
  type RealtimeBookingsError,
  type RealtimeBookingsOptions,
  type RefreshInfo,
  type StatusChangeEvent,
  type ChangeEvent,
  type ResyncEvent,
} from "../../src/index.js";
import { TRANSPORTS, type TransportCase, type fakeBrowser } from "./browser.js";
import { STREAM_URL, VERSION_URL } from "./hub.js";

/** Lets fake time pass, then drains promise chains (msw, stream reads) until nothing moves. */
export async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  for (let i = 0; i < 30; i++) await vi.advanceTimersByTimeAsync(0);
}

export interface Recorded {
  client: RealtimeBookings;
  refreshes: RefreshInfo[];
  statuses: StatusChangeEvent[];
  changes: ChangeEvent[];
  resyncs: ResyncEvent[];
  errors: RealtimeBookingsError[];
  /** The sequence of `current` statuses seen on `status` events. */
  readonly trail: string[];
}

export function startClient(
  kind: TransportCase,
  browser: ReturnType<typeof fakeBrowser>,
  options: Partial<RealtimeBookingsOptions> = {},
): Recorded {
  const { transport, EventSource } = TRANSPORTS[kind];
  const refreshes: RefreshInfo[] = [];
  const client = new RealtimeBookings({
    streamUrl: STREAM_URL,
    versionUrl: VERSION_URL,
    transport,
    onRefresh: (info) => {
      refreshes.push(info);
    },
    ...options,
    environment: { ...browser.environment, EventSource, ...options.environment },
  });
  const recorded: Recorded = {
    client,
    refreshes,
    statuses: [],
    changes: [],
    resyncs: [],
    errors: [],
    get trail() {
      return recorded.statuses.map((s) => s.current);
    },
  };
  client.on("status", (event) => recorded.statuses.push(event));
  client.on("change", (change) => recorded.changes.push(change));
  client.on("resync", (event) => recorded.resyncs.push(event));
  client.on("error", (error) => recorded.errors.push(error));
  return recorded;
}
