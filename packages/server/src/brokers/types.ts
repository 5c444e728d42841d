import type { EventId, RedisKeys } from "@realtime-bookings/protocol";
import type { IdempotentPublish } from "./idempotency.js";

export type { IdempotentPublish } from "./idempotency.js";

/**
 * What a broker calls back on its single subscription.
 */
export interface BrokerListener {
  /** A raw message arrived on the channel. Untrusted: the hub validates it. */
  onMessage(text: string): void;
  /**
   * The subscription is active: after the first subscribe, and again after every reconnection once
   * the channel is subscribed anew. The hub recovers what it missed from the history at that point.
   */
  onReady(): void;
  /** The subscription connection was lost; the broker's client is reconnecting. */
  onDown(error?: unknown): void;
}

/** One event of the history: its id and the event JSON as published (without the id). */
export interface HistoryEntry {
  /** The history id. */
  readonly id: EventId;
  /** The event JSON, untrusted like any channel message. */
  readonly json: string;
}

/**
 * What the history holds after an id:
 * - `ok`: the entries after it, oldest first, at most `limit`; `truncated` when there were more;
 * - `gap`: the id is older than the history reaches, so something in between may have been trimmed;
 * - `lost`: there is no history at all (Redis restarted without persistence).
 */
export type HistoryPage =
  | { readonly status: "ok"; readonly entries: readonly HistoryEntry[]; readonly truncated: boolean }
  | { readonly status: "gap" }
  | { readonly status: "lost" };

/**
 * The few operations the hub needs from a message broker. Three adapters implement it: the in-memory
 * broker (one process), ioredis and node-redis; all pass one contract suite.
 */
export interface Broker {
  /** The key and channel names this broker uses. */
  readonly keys: RedisKeys;
  /** A short name for logs and `/healthz`, e.g. `memory`, `ioredis`. */
  readonly kind: string;
  /**
   * Atomically appends the event to the history, bumps the version counters and publishes the event
   * with its id on the channel.
   *
   * @param eventJson - a validated event, serialized as a JSON object
   * @param versionKeys - the counters to bump
   * @returns the event's history id
   */
  publish(eventJson: string, versionKeys: readonly string[]): Promise<EventId>;
  /**
   * {@link Broker.publish} with an idempotency key, decided atomically where the history lives: the
   * first publish with a key publishes and records its id for the idempotency window (24 h by
   * default); a later one with the same key and the same event publishes nothing and answers the
   * first id with `replayed: true`; one with the same key and another event is refused. Optional: the
   * hub refuses a key (`invalid_options`) when its broker has no such method. Every adapter of this
   * package has it.
   *
   * @param eventJson - a validated event, serialized as a JSON object
   * @param versionKeys - the counters to bump
   * @param idempotencyKey - a checked key (`safeParseIdempotencyKey`); brokers store only its digest
   * @throws {@link HubError} `idempotency_key_reused` when the key's record holds another event
   */
  publishIdempotent?(eventJson: string, versionKeys: readonly string[], idempotencyKey: string): Promise<IdempotentPublish>;
  /** Opens the one subscription of this process; resolves once it is active. Call once. */
  subscribe(listener: BrokerListener): Promise<void>;
  /**
   * Opens one more subscription, to every channel matching a Redis glob `pattern` (`PSUBSCRIBE`), on a
   * connection of its own: how the hub hears what other systems publish on their own channels (Laravel's
   * Redis broadcaster). Each message is handed over raw with the channel it came on; it is untrusted.
   * The subscription survives reconnections; {@link Broker.close} closes it too. Optional: the Redis
   * adapters have it, the in-memory broker has not (nothing outside the process can publish to it).
   *
   * @param pattern - a Redis glob pattern, e.g. `laravel_database_*bookings*`
   * @param onMessage - called with the channel and the raw message
   * @returns a function that closes this subscription (within a second, whatever Redis does)
   */
  subscribePattern?(pattern: string, onMessage: (channel: string, text: string) => void): Promise<() => Promise<void>>;
  /** Reads a version counter (0 when it does not exist). */
  readVersion(key: string): Promise<number>;
  /**
   * Reads the history after `after`, bounded by `limit`: one bounded range read, never a scan.
   */
  readHistory(after: EventId, limit: number): Promise<HistoryPage>;
  /** The id of the newest history entry, if any. */
  newestId(): Promise<EventId | undefined>;
  /**
   * The newest `limit` history entries, oldest first: one bounded read. A hub that starts seeds its
   * resume points and its in-memory history from them (no reload wave after a restart). Optional: a
   * broker without it starts from the newest id.
   */
  readRecent?(limit: number): Promise<readonly HistoryEntry[]>;
  /**
   * Stores a stream ticket under `key` unless one is there already (`SET key value NX PX ttlMs`).
   * Optional, with {@link Broker.takeTicket}: without both the hub's `/ticket` endpoint answers 501.
   *
   * @returns `true` when stored, `false` when the key was taken
   */
  putTicket?(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Takes a stream ticket once, atomically: replaces its value with `mark`, keeping its expiry
   * (`SET key mark XX KEEPTTL GET`), and returns what it held. Two hubs taking one ticket at once get
   * the record once and `mark` once.
   *
   * @returns the previous value, or `undefined` when there is no such key (never stored, or gone)
   */
  takeTicket?(key: string, mark: string): Promise<string | undefined>;
  /** Resolves when the broker's server answers; rejects otherwise. */
  ping(): Promise<void>;
  /** Frees the subscription and any connection the broker opened itself (never the app's own client). */
  close(): Promise<void>;
}
