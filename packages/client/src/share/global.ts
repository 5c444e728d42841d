/**
 * The entry of the tab-sharing `<script src>` bundle (`dist/realtime-bookings-share.global.js`), loaded
 * after `realtime-bookings.global.js`: it sets `RealtimeBookings.tabSharing`, so clients created
 * afterwards share one stream per browser.
 */
import { tabSharing } from "./tab-sharing.js";

// One reference to globalThis: with two, the minifier aliases it in a top-level `var`, a global.
Object.assign((globalThis as { RealtimeBookings?: object }).RealtimeBookings ?? {}, { tabSharing });
