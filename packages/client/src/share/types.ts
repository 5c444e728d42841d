import type { RealtimeEnvironment } from "../environment.js";
import type { StatusReason } from "../events.js";
import type { RealtimeStatus } from "../status.js";

/**
 * What tab sharing asks of its client (internal): lead (hold the stream), follow (mirror the
 * leader's status), and take the events the leader relays.
 */
export interface SharingHost {
  /** This tab now holds the stream: open it, resuming after the last event id seen. */
  lead(): void;
  /** Another tab holds the stream: close this tab's, and show the leader's status. */
  follow(status: RealtimeStatus, reason: StatusReason): void;
  /** A stream event (from this tab's stream, or relayed), never the same id twice. */
  receive(name: string, data: string, id: string | undefined): void;
  /** The leader's version check found a change it did not get as an event. */
  changed(): void;
}

/** One tab's part in sharing a stream (internal). */
export interface Sharing {
  /** Takes part in the election (again): leads at once when already the leader. */
  join(): void;
  /** Leaves the election and the channel; another tab takes over. Safe to call twice. */
  leave(): void;
  /** An event of this tab's own stream: passed to the host and relayed. */
  deliver(name: string, data: string, id: string | undefined): void;
  /** This tab's version check found a change: refresh here and in every tab. */
  changed(): void;
  /** This tab's status: relayed while it leads. */
  status(status: RealtimeStatus, reason: StatusReason): void;
}

/**
 * The tab-sharing module, as `RealtimeBookings.tabSharing` holds it: loading
 * `realtime-bookings-share.global.js` (or assigning `tabSharing` from
 * `@realtime-bookings/client/share`) turns sharing on by default. It returns `undefined` (each tab
 * its own stream) when the environment has no Web Locks or no `BroadcastChannel`; tabs share by the
 * stream URL resolved against the page.
 *
 * @example
 * ```ts
 * import { RealtimeBookings } from "@realtime-bookings/client";
 * import { tabSharing } from "@realtime-bookings/client/share";
 * RealtimeBookings.tabSharing = tabSharing;
 * ```
 */
export type TabSharing = (
  env: Pick<RealtimeEnvironment, "setTimeout" | "clearTimeout" | "now" | "isVisible" | "locks" | "BroadcastChannel">,
  streamUrl: string,
  host: SharingHost,
) => Sharing | undefined;
