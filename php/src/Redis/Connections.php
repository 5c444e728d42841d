<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\RedisKeys;

/**
 * Picks the {@see RedisConnection} adapter for a Redis client, so `new Publisher($redis)` takes a
 * phpredis `Redis` or `RedisCluster`, a Predis client, or your own adapter alike.
 */
final class Connections
{
    /**
     * @param object $client a connected `\Redis` or a `\RedisCluster` (phpredis), a `\Predis\ClientInterface`,
     *                       or a {@see RedisConnection}
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
        if (class_exists(\RedisCluster::class, false) && $client instanceof \RedisCluster) {
            return new PhpRedisClusterConnection($client);
        }
        if (interface_exists(\Predis\ClientInterface::class) && $client instanceof \Predis\ClientInterface) {
            return new PredisConnection($client);
        }
        throw new ConfigurationException(sprintf(
            'cannot publish with a %s: pass a phpredis \Redis or \RedisCluster, a Predis client, or an implementation of %s (a Predis cluster client or a Sentinel client is not supported yet)',
            get_debug_type($client),
            RedisConnection::class,
        ));
    }

    /**
     * The names to use with a connection: the ones given, or the default names for its kind (Cluster
     * names, `{bookings}:…`, for a {@see ClusterConnection}).
     *
     * @throws ConfigurationException when the names and the connection disagree: single-node names on a
     *                                Cluster would split the publish across slots, and Cluster names
     *                                (`SPUBLISH`) on a single Redis reach no single-node hub
     */
    public static function keysFor(RedisConnection $connection, ?RedisKeys $keys): RedisKeys
    {
        $cluster = $connection instanceof ClusterConnection;
        if ($keys === null) {
            return new RedisKeys(cluster: $cluster);
        }
        if ($cluster && !$keys->cluster) {
            throw new ConfigurationException(sprintf(
                'on Redis Cluster every key must carry the prefix as its one hash tag: give Cluster names, new RedisKeys(%s, cluster: true), not "%s:history"',
                var_export(trim($keys->prefix, '{}'), true),
                $keys->prefix,
            ));
        }
        if (!$cluster && $keys->cluster) {
            throw new ConfigurationException('Cluster names (RedisKeys with cluster: true) need a Cluster client: pass a phpredis \RedisCluster or an adapter implementing ' . ClusterConnection::class);
        }
        return $keys;
    }
}
