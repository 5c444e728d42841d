<?php

declare(strict_types=1);

namespace RealtimeBookings;

/**
 * The atomic publish, byte for byte the protocol's `PUBLISH_SCRIPT`
 * (packages/protocol/src/publish-script.ts; a test compares the two), so every publisher shares one
 * SHA1 and `EVALSHA` finds the script the Node hub already loaded. In one step: append the event to the
 * capped history stream, bump the version counters of its scope, publish it with its history id.
 *
 * KEYS[1] = the history stream, KEYS[2..] = the version counters to bump;
 * ARGV[1] = the channel, ARGV[2] = the history's approximate length, ARGV[3] = the event JSON.
 * Reply: the history id.
 *
 * Idempotent publish (optional; the call above stays valid): one more, LAST key, the record
 * `<prefix>:idempotency:<sha256 hex of the key>`, and ARGV[4] = its window in milliseconds (86400000).
 * Reply: [id, 0] when published, [the first id, 1] when the key's first publish already made this
 * event (nothing is written), or the error `ERR realtime-bookings: idempotency_key_reused: …` for the
 * same key with another event (nothing is written).
 *
 * On Redis Cluster ({@see RedisKeys} with `cluster: true`) the publisher runs {@see CLUSTER_SOURCE}
 * instead, byte for byte the protocol's `CLUSTER_PUBLISH_SCRIPT`.
 */
final class PublishScript
{
    /** The script's first step: refuse what is not a JSON object with fields. */
    private const CHECK_EVENT = <<<'LUA'
local event = ARGV[3]
if string.sub(event, 1, 2) ~= '{"' then
  return redis.error_reply('ERR realtime-bookings: the event must be a JSON object with fields')
end
LUA . "\n";

    /** Cluster only: refuse a channel without the keys' hash tag before anything is written. */
    private const CHECK_HASH_TAG = <<<'LUA'
local tag = string.match(KEYS[1], '{([^}]+)}')
if tag == nil or string.match(ARGV[1], '{([^}]+)}') ~= tag then
  return redis.error_reply('ERR realtime-bookings: the channel must carry the hash tag of the keys')
end
LUA . "\n";

    /** With ARGV[4]: the last key is the idempotency record; a known key replays or refuses. */
    private const IDEMPOTENCY = <<<'LUA'
local last = #KEYS
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
LUA . "\n";

    /** Append and bump, then the publish command ({@see APPEND_TAIL} follows it). */
    private const APPEND_HEAD = <<<'LUA'
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
for i = 2, last do
  redis.call('INCR', KEYS[i])
end
redis.call('
LUA;

    /** The rest of the publish line, then the id recorded when there is a key. */
    private const APPEND_TAIL = <<<'LUA'
', ARGV[1], '{"id":"' .. id .. '",' .. string.sub(event, 2))
if digest then
  redis.call('SET', KEYS[#KEYS], id .. ' ' .. digest, 'PX', ARGV[4])
  return {id, 0}
end
return id
LUA . "\n";

    /** The atomic publish; the fragments are the protocol's, joined in the same order. */
    public const SOURCE = self::CHECK_EVENT . self::IDEMPOTENCY . self::APPEND_HEAD . 'PUBLISH' . self::APPEND_TAIL;

    /**
     * The atomic publish for Redis Cluster, byte for byte the protocol's `CLUSTER_PUBLISH_SCRIPT`: the
     * same steps after a check that the channel carries the keys' hash tag, and `SPUBLISH` (sharded
     * pub/sub, which a Cluster hub listens to with `SSUBSCRIBE`) instead of `PUBLISH`.
     */
    public const CLUSTER_SOURCE = self::CHECK_EVENT . self::CHECK_HASH_TAG . self::IDEMPOTENCY . self::APPEND_HEAD . 'SPUBLISH' . self::APPEND_TAIL;

    /** The SHA1 `EVALSHA` names the script by. */
    public static function sha1(): string
    {
        return sha1(self::SOURCE);
    }

    /** The source for single-node names, or for Redis Cluster names ({@see CLUSTER_SOURCE}). */
    public static function source(bool $cluster): string
    {
        return $cluster ? self::CLUSTER_SOURCE : self::SOURCE;
    }
}
