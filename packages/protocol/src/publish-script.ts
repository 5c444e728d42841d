/** The script's first step: refuse what is not a JSON object with fields. */
const CHECK_EVENT = `local event = ARGV[3]
if string.sub(event, 1, 2) ~= '{"' then
  return redis.error_reply('ERR realtime-bookings: the event must be a JSON object with fields')
end
`;

/** Cluster only: refuse a channel without the keys' hash tag before anything is written. */
const CHECK_HASH_TAG = `local tag = string.match(KEYS[1], '{([^}]+)}')
if tag == nil or string.match(ARGV[1], '{([^}]+)}') ~= tag then
  return redis.error_reply('ERR realtime-bookings: the channel must carry the hash tag of the keys')
end
`;

/** With `ARGV[4]`: the last key is the idempotency record; a known key replays or refuses. */
const IDEMPOTENCY = `local last = #KEYS
local digest
if ARGV[4] then
  if not string.match(ARGV[4], '^[1-9]%d*$') or #ARGV[4] > 13 or last < 2 then
    return redis.error_reply('ERR realtime-bookings: with an idempotency key, ARGV[4] is the window in milliseconds and the last key the record')
  end
  digest = redis.sha1hex(event)
  local record = redis.call('GET', KEYS[last])
  if record then
    local first, seen = string.match(record, '^(%S+) (%x+)$')
    if seen == digest then
      return {first, 1}
    end
    return redis.error_reply('ERR realtime-bookings: idempotency_key_reused: this idempotency key was used for a different event')
  end
  last = last - 1
end
`;

/** Append, bump, publish (with `PUBLISH` or `SPUBLISH`), then record the id when there is a key. */
const appendAndPublish = (publish: "PUBLISH" | "SPUBLISH"): string => `local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
for i = 2, last do
  redis.call('INCR', KEYS[i])
end
redis.call('${publish}', ARGV[1], '{"id":"' .. id .. '",' .. string.sub(event, 2))
if digest then
  redis.call('SET', KEYS[#KEYS], id .. ' ' .. digest, 'PX', ARGV[4])
  return {id, 0}
end
return id
`;

/**
 * The atomic publish, as a Redis Lua script every publisher shares (the Node hub, PHP, any language):
 * append the event to the capped history stream, bump every version counter of its scope, and publish
 * it with its history id, in one step, so nobody sees a new version without its event.
 *
 * - `KEYS[1]`: the history stream (`RedisKeys.history`).
 * - `KEYS[2..]`: the version counters to bump (`versionKeysOf`).
 * - `ARGV[1]`: the channel (`RedisKeys.channel`).
 * - `ARGV[2]`: the history's approximate maximum length (e.g. `1000`).
 * - `ARGV[3]`: the event as a JSON object: `{"type":…,"data":{…}}`.
 *
 * Returns the history id. The message published is the event with `"id"` added as its first field:
 * `{"id":"1732800000000-0","type":…}`, which an old subscriber still reads as the seed's format.
 *
 * **Idempotent publish (optional).** A publisher that has an idempotency key adds two things, and only
 * then (the call above stays valid, so publishers deployed with an older copy keep working):
 * - one more, LAST key: the record `RedisKeys.idempotencyRecord(sha256hex(key))`
 *   (`bookings:idempotency:<64 hex>`), after the version counters;
 * - `ARGV[4]`: how long the record lasts, in milliseconds (`IDEMPOTENCY_WINDOW_MS`, 86400000).
 *
 * The script then reads the record first. None: it publishes as above, stores
 * `"<id> <SHA1 of ARGV[3]>"` there for `ARGV[4]` ms and returns `[id, 0]`. One with the same event
 * (same SHA1 of the JSON text): it publishes nothing (no `XADD`, no `INCR`, no `PUBLISH`) and returns
 * `[first id, 1]`. One with another event: the error reply
 * `ERR realtime-bookings: idempotency_key_reused: …`, nothing written. One script run is atomic, so two
 * retries reaching two hubs at once yield one event and one id.
 *
 * @example
 * ```php
 * $redis->eval(PUBLISH_SCRIPT, [$history, $global, $wpKey, $spKey, $channel, 1000, $json], 4);
 * // idempotent: the record as the last key, the window as ARGV[4]
 * $record = "bookings:idempotency:" . hash('sha256', $idempotencyKey);
 * $redis->eval(PUBLISH_SCRIPT, [$history, $global, $wpKey, $spKey, $record, $channel, 1000, $json, 86400000], 5);
 * ```
 */
export const PUBLISH_SCRIPT = `${CHECK_EVENT}${IDEMPOTENCY}${/* @__PURE__ */ appendAndPublish("PUBLISH")}`;

/** The default approximate length of the history stream: how many recent events a resume can replay. */
export const DEFAULT_HISTORY_LENGTH = 1000;

/**
 * The atomic publish for Redis Cluster: {@link PUBLISH_SCRIPT} with sharded pub/sub (`SPUBLISH`), so
 * the message stays on the node that serves the keys' slot, where the hubs `SSUBSCRIBE`. Same keys,
 * arguments and reply. Every key and the channel must share one hash tag (`redisKeys({ cluster: true })`
 * gives `{bookings}:history`, `{bookings}:version…`, `{bookings}:updates`, and the idempotency record
 * `{bookings}:idempotency:<64 hex>`); the script checks that the
 * channel carries the history key's hash tag before it writes anything, so a wrong channel never
 * leaves a history entry without its message.
 *
 * @example
 * ```text
 * $cluster = new RedisCluster(null, ['127.0.0.1:7000']);
 * $cluster->eval(CLUSTER_PUBLISH_SCRIPT, ['{bookings}:history', '{bookings}:version', '{bookings}:updates', 1000, $json], 2);
 * ```
 */
export const CLUSTER_PUBLISH_SCRIPT = `${CHECK_EVENT}${CHECK_HASH_TAG}${IDEMPOTENCY}${/* @__PURE__ */ appendAndPublish("SPUBLISH")}`;
