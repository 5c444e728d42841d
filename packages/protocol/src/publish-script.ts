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
