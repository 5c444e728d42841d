export { RealtimeBookings } from "./client.js";
export type { RealtimeBookingsOptions } from "./options.js";
export type {
  ChangeEvent,
  RefreshInfo,
  RefreshReason,
  ResyncEvent,
  StatusChangeEvent,
  StatusReason,
  TransportName,
  RealtimeBookingsEventMap,
} from "./events.js";
export { type RealtimeStatus, type StatusColor, type StatusSnapshot, type StreamPhase, type LinkState, deriveStatus, statusColor } from "./status.js";
export { type BackoffOptions, DEFAULT_BACKOFF, backoffDelay } from "./backoff.js";
export { RealtimeBookingsError, type RealtimeBookingsErrorCode, type RealtimeBookingsErrorDetails } from "./errors.js";
export type { HeadersOption, TokenOption } from "./http.js";
export {
  type RealtimeEnvironment,
  type EventTargetLike,
  type EventSourceLike,
  type EventSourceEventLike,
  type EventSourceConstructor,
  type FetchLike,
  type FetchLikeInit,
  type FetchLikeResponse,
  type ReaderLike,
  type LockManagerLike,
  type BroadcastChannelLike,
  browserEnvironment,
} from "./environment.js";
export { type StatusButton, type StatusButtonOptions, type StatusButtonClient, type StorageLike, mountStatusButton, DEFAULT_LABELS, DEFAULT_DOTS } from "./button.js";
export type { TabSharing, Sharing, SharingHost } from "./share/types.js";
