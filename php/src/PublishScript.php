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

    /** The SHA1 `EVALSHA` names the script by. */
    public static function sha1(): string
    {
        return sha1(self::SOURCE);
    }
}
