<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use RealtimeBookings\Exception\ConfigurationException;

/**
 * Picks the {@see RedisConnection} adapter for a Redis client, so `new Publisher($redis)` takes a
 * phpredis `Redis`, a Predis client, or your own adapter alike.
 */
final class Connections
{
    /**
     * @param object $client a connected `\Redis` (phpredis), a `\Predis\ClientInterface`, or a {@see RedisConnection}
     * @throws ConfigurationException for any other object, or a client configured in a way the hub cannot read
     */
    public static function wrap(object $client): RedisConnection
    {
        if ($client instanceof RedisConnection) {
            return $client;
        }
        if (class_exists(\Redis::class, false) && $client instanceof \Redis) {
            return new PhpRedisConnection($client);
        }
        if (interface_exists(\Predis\ClientInterface::class) && $client instanceof \Predis\ClientInterface) {
            return new PredisConnection($client);
        }
        throw new ConfigurationException(sprintf(
            'cannot publish with a %s: pass a phpredis \Redis, a Predis client, or an implementation of %s (RedisCluster and Sentinel clients are not supported yet)',
            get_debug_type($client),
            RedisConnection::class,
        ));
    }
}
