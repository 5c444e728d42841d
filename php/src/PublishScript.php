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
 *
 * On Redis Cluster ({@see RedisKeys} with `cluster: true`) the publisher runs {@see CLUSTER_SOURCE}
 * instead, byte for byte the protocol's `CLUSTER_PUBLISH_SCRIPT`.
 */
final class PublishScript
{
    public const SOURCE = <<<'LUA'
local event = ARGV[3]
if string.sub(event, 1, 2) ~= '{"' then
  return redis.error_reply('ERR realtime-bookings: the event must be a JSON object with fields')
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'event', event)
for i = 2, #KEYS do
  redis.call('INCR', KEYS[i])
end
redis.call('PUBLISH', ARGV[1], '{"id":"' .. id .. '",' .. string.sub(event, 2))
return id
LUA . "\n";

    /**
     * The atomic publish for Redis Cluster, byte for byte the protocol's `CLUSTER_PUBLISH_SCRIPT`: the
     * same steps after a check that the channel carries the keys' hash tag, and `SPUBLISH` (sharded
     * pub/sub, which a Cluster hub listens to with `SSUBSCRIBE`) instead of `PUBLISH`.
     */
    public const CLUSTER_SOURCE = <<<'LUA'
local event = ARGV[3]
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
LUA . "\n";

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
