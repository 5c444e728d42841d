<?php
/**
 * realtime-bookings for PHP: everything a PHP app needs to drive the standalone hub.
 *
 *   - Publisher::publish()      publishes a booking change with the atomic publish script (phpredis
 *                               Redis, or RedisCluster: then every key carries the prefix as its hash tag)
 *   - Publisher::publishLegacy() the original system's bare PUBLISH, kept to show what it still gets
 *   - ViewerToken::forUser()    signs the viewer token (HS256 JWT) the browser hands to the hub
 *
 * Copy this file into your app; it needs PHP >= 8.1 and the phpredis extension (php-redis), nothing
 * else. The wire protocol it follows is docs/protocol.md of realtime-bookings.
 */

declare(strict_types=1);

namespace RealtimeBookings;

use InvalidArgumentException;
use Redis;
use RuntimeException;

/**
 * Publishes booking changes so that every hub delivers them to the viewers allowed to see them.
 */
final class Publisher
{
    /**
     * The atomic publish, byte for byte the protocol's PUBLISH_SCRIPT (the same SHA1 as the Node hub's,
     * so EVALSHA finds it cached). In one step: append the event to the capped history stream, bump the
     * version counters of its scope, publish it on the channel with its history id.
     *
     * KEYS[1] = the history stream, KEYS[2..] = the version counters to bump;
     * ARGV[1] = the channel, ARGV[2] = the history's approximate length, ARGV[3] = the event JSON.
     */
    public const PUBLISH_SCRIPT = <<<'LUA'
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
     * The atomic publish for Redis Cluster, byte for byte the protocol's CLUSTER_PUBLISH_SCRIPT: the
     * same with a hash-tag check first and SPUBLISH (sharded pub/sub) instead of PUBLISH.
     */
    public const CLUSTER_PUBLISH_SCRIPT = <<<'LUA'
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

    public const TYPES = ['create', 'update', 'delete', 'test'];

    private readonly string $channel;
    private readonly string $keyPrefix;
    private readonly string $script;

    /**
     * @param Redis|\RedisCluster $redis a connected phpredis client (no OPT_PREFIX, no serializer); a
     *                             RedisCluster publishes the Cluster way: keys and channel named
     *                             "{<prefix>}:…" (one slot), CLUSTER_PUBLISH_SCRIPT with SPUBLISH
     * @param string $prefix        the key prefix the hub uses (its --key-prefix), "bookings" by default
     * @param string|null $channel  the channel (its --channel); "<prefix>:updates" by default
     * @param int    $historyLength how many events the history keeps for resume (its --history-length)
     * @throws InvalidArgumentException on a Cluster, for a prefix holding { or } or a channel without
     *                                  the keys' hash tag (the keys would land in different slots)
     */
    public function __construct(
        private readonly Redis|\RedisCluster $redis,
        private readonly string $prefix = 'bookings',
        ?string $channel = null,
        private readonly int $historyLength = 1000,
    ) {
        $cluster = $redis instanceof \RedisCluster;
        if ($cluster && strpbrk($prefix, '{}') !== false) {
            throw new InvalidArgumentException("realtime-bookings: on Redis Cluster the prefix becomes the hash tag {{$prefix}}; give it without { or }");
        }
        $this->keyPrefix = $cluster ? '{' . $prefix . '}' : $prefix;
        $this->channel = $channel ?? $this->keyPrefix . ':updates';
        if ($cluster && self::hashTag($this->channel) !== $prefix) {
            throw new InvalidArgumentException("realtime-bookings: on Redis Cluster the channel must carry the hash tag {{$prefix}}, e.g. {{$prefix}}:updates");
        }
        $this->script = $cluster ? self::CLUSTER_PUBLISH_SCRIPT : self::PUBLISH_SCRIPT;
    }

    /**
     * Publishes one booking change and returns its history id (e.g. "1732800000000-0").
     *
     * @param string     $type     create, update, delete (or test)
     * @param array      $booking  the row: id, specialist_id, workpoint_id, plus any field to show
     * @param array|null $previous for an update that moved the booking: its old specialist_id and/or
     *                             workpoint_id, so the viewers of the old scope hear that it left them
     * @throws InvalidArgumentException for an event the hub would reject
     * @throws RuntimeException when Redis fails
     */
    public function publish(string $type, array $booking, ?array $previous = null): string
    {
        [$json, $scope] = $this->encode($type, $booking, $previous);
        $keys = [$this->keyPrefix . ':history', $this->keyPrefix . ':version'];
        foreach ($scope['workpoints'] as $id) {
            $keys[] = $this->keyPrefix . ':version:workpoint:' . $id;
        }
        foreach ($scope['specialists'] as $id) {
            $keys[] = $this->keyPrefix . ':version:specialist:' . $id;
        }
        $args = array_merge($keys, [$this->channel, (string) $this->historyLength, $json]);

        // Scripts are not replicated: after a failover the new master answers NOSCRIPT once.
        $id = $this->redis->evalSha(sha1($this->script), $args, count($keys));
        if ($id === false && str_starts_with((string) $this->redis->getLastError(), 'NOSCRIPT')) {
            $this->redis->clearLastError();
            $id = $this->redis->eval($this->script, $args, count($keys));
        }
        if (!is_string($id) || preg_match('/^\d+-\d+$/', $id) !== 1) {
            throw new RuntimeException('realtime-bookings: publish failed: ' . ($this->redis->getLastError() ?? var_export($id, true)));
        }
        return $id;
    }

    /**
     * The original system's bare PUBLISH. Hubs still deliver it live, but it has no history id (a
     * client that reconnects cannot get it back) and bumps no version (a polling client never sees
     * it). Use publish(); this is here to show the difference.
     *
     * @return int how many subscribers (hub processes) received it
     */
    public function publishLegacy(string $type, array $booking): int
    {
        [$json] = $this->encode($type, $booking, null);
        return (int) $this->redis->publish($this->channel, $json);
    }

    /**
     * The hash tag Redis Cluster hashes a name by: the text between its first { and the first } after
     * it, when not empty; null when the whole name is hashed.
     */
    public static function hashTag(string $name): ?string
    {
        $open = strpos($name, '{');
        $close = $open === false ? false : strpos($name, '}', $open + 1);
        return $close === false || $close === $open + 1 ? null : substr($name, $open + 1, $close - $open - 1);
    }

    /**
     * The canonical form of an id: 42 and "42" are the same id. Ids are non-negative integers or
     * 1-64 characters of A-Z a-z 0-9 _ -, so no key built from one can collide with another scope's.
     */
    public static function canonicalId(mixed $value, string $field): string
    {
        if (is_int($value) && $value >= 0) {
            return (string) $value;
        }
        if (is_string($value) && preg_match('/^[A-Za-z0-9_-]{1,64}$/', $value) === 1) {
            return $value;
        }
        throw new InvalidArgumentException("realtime-bookings: $field must be a non-negative integer or 1-64 characters of A-Z a-z 0-9 _ -");
    }

    /** @return array{0: string, 1: array{specialists: list<string>, workpoints: list<string>}} */
    private function encode(string $type, array $booking, ?array $previous): array
    {
        if (!in_array($type, self::TYPES, true)) {
            throw new InvalidArgumentException('realtime-bookings: type must be one of ' . implode(', ', self::TYPES));
        }
        $scope = ['specialists' => [], 'workpoints' => []];
        $fields = ['specialist_id' => 'specialists', 'workpoint_id' => 'workpoints'];
        if ($type !== 'test') {
            self::canonicalId($booking['id'] ?? null, 'data.id');
        }
        foreach ($fields as $field => $set) {
            if ($type === 'test' && !isset($booking[$field])) {
                continue;
            }
            $scope[$set][] = self::canonicalId($booking[$field] ?? null, "data.$field");
        }
        $event = ['type' => $type, 'data' => $booking];
        $kept = [];
        foreach ($fields as $field => $set) {
            if (isset($previous[$field])) {
                $scope[$set][] = self::canonicalId($previous[$field], "previous.$field");
                $kept[$field] = $previous[$field];
            }
        }
        if ($kept !== []) {
            $event['previous'] = $kept; // a JSON object: {"specialist_id":3,"workpoint_id":1}
        }
        $json = json_encode($event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
        if (strlen($json) > 65536) {
            throw new InvalidArgumentException('realtime-bookings: the event is longer than 64 KiB; publish the ids and let the page load the rest');
        }
        // A move within one scope names it twice: each counter must be bumped once.
        foreach ($scope as $set => $ids) {
            $scope[$set] = array_values(array_unique($ids));
        }
        return [$json, $scope];
    }
}

/**
 * Signs the viewer token the browser sends to the hub: a JWT (HS256) with the claims the hub reads.
 * hash_hmac() and base64 are PHP's standard library; no JWT package is needed for signing.
 */
final class ViewerToken
{
    /**
     * @param array  $user   the signed-in user: role (admin, supervisor, specialist), and
     *                       workpoint_id for a supervisor or specialist_id for a specialist
     * @param string $secret the hub's secret (REALTIME_BOOKINGS_SECRET), at least 32 bytes
     * @param int    $ttl    lifetime in seconds; keep it short, the page fetches a new one
     * @param string|null $subject the sub claim (user id): the hub's per-user connection cap counts by it
     */
    public static function forUser(array $user, string $secret, int $ttl = 900, ?string $subject = null): string
    {
        $claims = match ($user['role'] ?? null) {
            'admin' => ['role' => 'admin'],
            'supervisor' => ['role' => 'supervisor', 'workpoint_id' => $user['workpoint_id']],
            'specialist' => ['role' => 'specialist', 'specialist_id' => $user['specialist_id']],
            default => throw new InvalidArgumentException('realtime-bookings: role must be admin, supervisor or specialist'),
        };
        if ($subject !== null) {
            $claims['sub'] = $subject;
        }
        $now = time();
        $claims['iat'] = $now;
        $claims['exp'] = $now + $ttl;
        return self::sign($claims, $secret);
    }

    /** Signs any claims as a compact HS256 JWT. */
    public static function sign(array $claims, string $secret): string
    {
        if (strlen($secret) < 32) {
            throw new InvalidArgumentException('realtime-bookings: the secret must be at least 32 bytes');
        }
        $header = self::base64url(json_encode(['alg' => 'HS256', 'typ' => 'JWT'], JSON_THROW_ON_ERROR));
        $payload = self::base64url(json_encode($claims, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
        $signature = self::base64url(hash_hmac('sha256', "$header.$payload", $secret, true));
        return "$header.$payload.$signature";
    }

    private static function base64url(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
