<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use RealtimeBookings\Exception\RedisFailureException;

/**
 * The three Redis commands this package needs, whatever the client. One small adapter per client
 * ({@see PhpRedisConnection}, {@see PredisConnection}); {@see Connections::wrap()} picks it.
 *
 * Keys and arguments are passed apart so that an adapter for Redis Cluster can route a script by its
 * first key (all keys of the publish script share the prefix's hash tag, e.g. `{bookings}`), and one
 * for Sentinel can ask for the current master before each call.
 */
interface RedisConnection
{
    /**
     * Runs a Lua script by its SHA1 (`EVALSHA`), loading it with `EVAL` when Redis answers `NOSCRIPT`
     * (a restarted or newly promoted Redis has no script cache).
     *
     * @param string       $script the script's source
     * @param string       $sha1   its SHA1
     * @param list<string> $keys   KEYS
     * @param list<string> $args   ARGV
     * @return mixed the script's reply
     * @throws RedisFailureException when Redis or the connection fails
     */
    public function evalScript(string $script, string $sha1, array $keys, array $args): mixed;

    /**
     * `PUBLISH channel message`.
     *
     * @return int how many subscribers received it
     * @throws RedisFailureException
     */
    public function publish(string $channel, string $message): int;

    /**
     * `GET key`.
     *
     * @return string|null the value, or null when the key does not exist
     * @throws RedisFailureException
     */
    public function get(string $key): ?string;
}
