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
 * @example
 * ```php
 * $redis->eval(PUBLISH_SCRIPT, [$history, $global, $wpKey, $spKey, $channel, 1000, $json], 4);
 * ```
 */
export const PUBLISH_SCRIPT = `local event = ARGV[3]
if string.sub(event, 1, 2) ~= '{"' then
  return redis.error_reply('ERR realtime-bookings: the event must be a JSON object with fields')
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
for i = 2, #KEYS do
  redis.call('INCR', KEYS[i])
end
redis.call('PUBLISH', ARGV[1], '{"id":"' .. id .. '",' .. string.sub(event, 2))
return id
`;

/** The default approximate length of the history stream: how many recent events a resume can replay. */
export const DEFAULT_HISTORY_LENGTH = 1000;

/**
 * The atomic publish for Redis Cluster: {@link PUBLISH_SCRIPT} with sharded pub/sub (`SPUBLISH`), so
 * the message stays on the node that serves the keys' slot, where the hubs `SSUBSCRIBE`. Same keys,
 * arguments and reply. Every key and the channel must share one hash tag (`redisKeys({ cluster: true })`
 * gives `{bookings}:history`, `{bookings}:version…`, `{bookings}:updates`); the script checks that the
 * channel carries the history key's hash tag before it writes anything, so a wrong channel never
 * leaves a history entry without its message.
 *
 * @example
 * ```text
 * $cluster = new RedisCluster(null, ['127.0.0.1:7000']);
 * $cluster->eval(CLUSTER_PUBLISH_SCRIPT, ['{bookings}:history', '{bookings}:version', '{bookings}:updates', 1000, $json], 2);
 * ```
 */
export const CLUSTER_PUBLISH_SCRIPT = `local event = ARGV[3]
if string.sub(event, 1, 2) ~= '{"' then
  return redis.error_reply('ERR realtime-bookings: the event must be a JSON object with fields')
end
local tag = string.match(KEYS[1], '{([^}]+)}')
if tag == nil or string.match(ARGV[1], '{([^}]+)}') ~= tag then
  return redis.error_reply('ERR realtime-bookings: the channel must carry the hash tag of the keys')
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
for i = 2, #KEYS do
  redis.call('INCR', KEYS[i])
end
redis.call('SPUBLISH', ARGV[1], '{"id":"' .. id .. '",' .. string.sub(event, 2))
return id
`;
