import { ProtocolError } from "./errors.js";
import type { EventScope } from "./event.js";
import type { CanonicalId } from "./scope-id.js";
import type { ViewerScope } from "./viewer.js";

/** The Redis channel the original system publishes to. */
export const DEFAULT_CHANNEL = "bookings:updates";

/** The prefix of every Redis key the hub uses. */
export const DEFAULT_KEY_PREFIX = "bookings";

/**
 * The Redis names the hub and every publisher agree on. Version keys are exact names, never
 * patterns: `bookings:version:workpoint:1` and `bookings:version:workpoint:12` are unrelated keys, and
 * canonical ids cannot contain `:`.
 */
export interface RedisKeys {
  /** The pub/sub channel (`bookings:updates`). */
  readonly channel: string;
  /** The capped Redis Stream holding recent events for resume (`bookings:history`). */
  readonly history: string;
  /** The global version counter, read by admins (`bookings:version`). */
  readonly globalVersion: string;
  /** The version counter of one workpoint, read by its supervisors. */
  workpointVersion(id: CanonicalId): string;
  /** The version counter of one specialist, read by that specialist. */
  specialistVersion(id: CanonicalId): string;
  /**
   * The key of one stream ticket (`bookings:ticket:<digest>`): `digest` is the SHA-256 of the ticket in
   * hex, so the key names no usable ticket. Written and taken by hubs only; publishers never touch it.
   */
  ticket(digest: string): string;
  /**
   * The record of one idempotency key (`bookings:idempotency:<digest>`): the publish script keeps the
   * first publish's id there for the idempotency window. Takes the SHA-256 of the key in lowercase hex
   * (64 characters), never the key itself, so an untrusted key cannot shape a Redis name.
   *
   * @throws {@link ProtocolError} `invalid_field` for anything but 64 lowercase hex digits
   */
  idempotencyRecord(keyDigest: string): string;
  /**
   * Whether the names are for Redis Cluster: every name then carries the prefix as its one hash tag
   * (`{bookings}:history`), and publishers use {@link CLUSTER_PUBLISH_SCRIPT} (`SPUBLISH`).
   */
  readonly cluster: boolean;
}

/** Options of {@link redisKeys}. */
export interface RedisKeyOptions {
  /**
   * The prefix of every key. Use a hash tag such as `{bookings}` on Redis Cluster so the atomic
   * publish script touches one slot.
   * @defaultValue `"bookings"`
   */
  readonly prefix?: string;
  /**
   * The pub/sub channel.
   * @defaultValue `"<prefix>:updates"`, so `"bookings:updates"` (the original system's) by default, and
   * two deployments with different prefixes on one Redis never hear each other
   */
  readonly channel?: string;
  /**
   * Names for Redis Cluster: the prefix becomes the hash tag of every name (`{bookings}:history`,
   * `{bookings}:version:workpoint:1`, channel `{bookings}:updates`), so the publish script touches one
   * slot and the sharded channel lives on that slot's node. The prefix must then hold no `{` or `}`,
   * and a custom channel must carry the same hash tag.
   * @defaultValue `false`
   */
  readonly cluster?: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9_:.{}-]{1,128}$/;

/**
 * Builds the Redis names for a prefix and channel.
 *
 * @param options - prefix, channel and Cluster mode; the names are checked so none can hold a glob or a space
 * @throws {@link ProtocolError} `invalid_field` for a prefix or channel outside `[A-Za-z0-9_:.{}-]`, and
 *   in Cluster mode for a prefix holding `{` or `}` or a channel without the keys' hash tag
 * @example
 * ```ts
 * redisKeys().workpointVersion("1" as CanonicalId); // "bookings:version:workpoint:1"
redisKeys({ cluster: true }).history; // "{bookings}:history"
 * ```
 */
export function redisKeys(options: RedisKeyOptions = {}): RedisKeys {
  const cluster = options.cluster === true;
  const bare = options.prefix ?? DEFAULT_KEY_PREFIX;
  if (cluster && /[{}]/.test(bare)) {
    throw new ProtocolError("invalid_field", `in Cluster mode the prefix becomes the hash tag {${bare}}; give it without { or }, so every key lands in one slot`, "prefix");
  }
  const prefix = cluster ? `{${bare}}` : bare;
  const channel = options.channel ?? `${prefix}:updates`;
  if (cluster && hashTagOf(channel) !== bare) {
    throw new ProtocolError("invalid_field", `in Cluster mode the channel must carry the keys' hash tag {${bare}} (e.g. "{${bare}}:updates"), or SPUBLISH fails after the history was written`, "channel");
  }
  for (const [field, value] of [["prefix", prefix], ["channel", channel]] as const) {
    if (!NAME_PATTERN.test(value)) {
      throw new ProtocolError("invalid_field", `${field} must be 1-128 characters of A-Z a-z 0-9 _ : . { } -`, field);
    }
  }
  return {
    cluster,
    channel,
    history: `${prefix}:history`,
    globalVersion: `${prefix}:version`,
    workpointVersion: (id) => `${prefix}:version:workpoint:${id}`,
    specialistVersion: (id) => `${prefix}:version:specialist:${id}`,
    ticket: (digest) => `${prefix}:ticket:${digest}`,
    idempotencyRecord: (keyDigest) => {
      if (!/^[0-9a-f]{64}$/.test(keyDigest)) throw new ProtocolError("invalid_field", "give the SHA-256 of the idempotency key in lowercase hex (64 characters)", "idempotencyKey");
      return `${prefix}:idempotency:${keyDigest}`;
    },
  };
}

/**
 * The hash tag Redis Cluster hashes a key by: the text between the first `{` and the first `}` after
 * it, when not empty; otherwise `undefined` (the whole key is hashed).
 *
 * @param key - a key or channel name
 * @example
 * ```ts
 * hashTagOf("{bookings}:history"); // "bookings"
 * ```
 */
export function hashTagOf(key: string): string | undefined {
  const open = key.indexOf("{");
  if (open < 0) return undefined;
  const close = key.indexOf("}", open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

/**
 * The one version key a viewer's poll reads: admins the global counter, supervisors their
 * workpoint's, specialists their own. No viewer ever reads a counter of a wider scope.
 *
 * @param keys - from {@link redisKeys}
 * @param viewer - the viewer's canonical scope
 */
export function versionKeyFor(keys: RedisKeys, viewer: ViewerScope): string {
  switch (viewer.role) {
    case "admin":
      return keys.globalVersion;
    case "supervisor":
      return keys.workpointVersion(viewer.workpoint_id);
    case "specialist":
      return keys.specialistVersion(viewer.specialist_id);
  }
}

/**
 * Every version key a published event bumps: the global one and one per specialist and workpoint in
 * its scope (old and new scope of a move).
 *
 * @param keys - from {@link redisKeys}
 * @param scope - the event's scope
 */
export function versionKeysOf(keys: RedisKeys, scope: EventScope): string[] {
  return [
    keys.globalVersion,
    ...scope.workpoints.map((id) => keys.workpointVersion(id)),
    ...scope.specialists.map((id) => keys.specialistVersion(id)),
  ];
}
