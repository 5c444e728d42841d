/**
 * Types of `@realtime-bookings/client/global`, the `<script src>` bundle
 * (`dist/realtime-bookings.global.js`): loading it, by a script tag or by `import "@realtime-bookings/client/global"`,
 * defines one global, `RealtimeBookings`, the client constructor with the helpers as its properties.
 */
import type { RealtimeBookings as RealtimeBookingsClient, RealtimeBookingsError, mountStatusButton } from "./dist/index.js";

declare global {
  /** The client constructor of the `<script>` bundle, with `mountStatusButton` and `RealtimeBookingsError` as properties. */
  var RealtimeBookings: typeof RealtimeBookingsClient & {
    readonly mountStatusButton: typeof mountStatusButton;
    readonly RealtimeBookingsError: typeof RealtimeBookingsError;
  };
}

export {};
