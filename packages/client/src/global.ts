/**
 * The entry of the `<script src>` bundle (`dist/realtime-bookings.global.js`): it defines one global,
 * `RealtimeBookings`, the client constructor, with the helpers as its properties:
 * `RealtimeBookings.mountStatusButton` and `RealtimeBookings.RealtimeBookingsError`.
 */
import { mountStatusButton } from "./button.js";
import { RealtimeBookings } from "./client.js";
import { RealtimeBookingsError } from "./errors.js";

(globalThis as { RealtimeBookings?: unknown }).RealtimeBookings = Object.assign(RealtimeBookings, {
  mountStatusButton,
  RealtimeBookingsError,
});
