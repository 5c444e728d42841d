export { ProtocolError, type ProtocolErrorCode, type ParseResult } from "./errors.js";
export { type Id, type CanonicalId, safeParseId } from "./scope-id.js";
export { type JsonValue, type JsonObject, type JsonLimits, DEFAULT_JSON_LIMITS, safeParseJson } from "./json.js";
export {
  BOOKING_CHANGE_TYPES,
  type BookingChangeType,
  type BookingEventType,
  type BookingData,
  type PreviousScope,
  type BookingChange,
  type TestEvent,
  type Origin,
  type BookingEvent,
  type EventScope,
  type ParsedEvent,
  safeParseBookingEvent,
  safeParseBookingMessage,
  parseBookingEvent,
} from "./event.js";
export { VIEWER_ROLES, type ViewerRole, type Viewer, type ViewerScope, safeParseViewer, canView, scopeKey } from "./viewer.js";
export { type SseMessage, SSE_HEADERS, encodeSseMessage } from "./sse.js";
export {
  DEFAULT_CHANNEL,
  DEFAULT_KEY_PREFIX,
  type RedisKeys,
  type RedisKeyOptions,
  redisKeys,
  versionKeyFor,
  versionKeysOf,
  hashTagOf,
} from "./keys.js";
export { type EventId, NO_EVENT_YET, parseEventId, compareEventIds } from "./event-id.js";
export { type ChannelMessage, safeParseChannelMessage, SSE_EVENTS, type ResyncReason } from "./message.js";
export { PUBLISH_SCRIPT, CLUSTER_PUBLISH_SCRIPT, DEFAULT_HISTORY_LENGTH } from "./publish-script.js";
export { IDEMPOTENCY_WINDOW_MS, MAX_IDEMPOTENCY_KEY_LENGTH, safeParseIdempotencyKey } from "./idempotency.js";
