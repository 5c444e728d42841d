<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

/**
 * A {@see RedisConnection} to a Redis Cluster: it routes each command by its first key (a script by
 * `KEYS[1]`). The Publisher and Versions name keys for Cluster (`{bookings}:history`, see
 * {@see \RealtimeBookings\RedisKeys}) when handed one, and the Publisher runs the Cluster script
 * (`SPUBLISH`). {@see PhpRedisClusterConnection} is the one for phpredis `RedisCluster`; implement
 * this interface (it adds no method) in an adapter of your own for another Cluster client.
 */
interface ClusterConnection extends RedisConnection
{
}
