export { createBookingHub, type BookingHub, type HubHandler, type HubHealth } from "./hub/create-hub.js";
export { type BookingHubOptions, type Authenticate, type HubLogger } from "./hub/options.js";
export { type HubStats } from "./hub/stats.js";
export { HubError, type HubErrorCode, AuthenticationError } from "./errors.js";
export { type HubRequest } from "./http/request.js";
export { type CorsOptions } from "./http/cors.js";
export { type Broker, type BrokerListener, type HistoryEntry, type HistoryPage } from "./brokers/types.js";
export { memoryBroker, type MemoryBrokerOptions } from "./brokers/memory.js";
export type { BookingEvent, Viewer, ViewerScope, EventId } from "@realtime-bookings/protocol";
