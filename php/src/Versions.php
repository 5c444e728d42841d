<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\InvalidViewerException;
use RealtimeBookings\Exception\RedisFailureException;
use RealtimeBookings\Redis\Connections;
use RealtimeBookings\Redis\RedisConnection;

/**
 * The version counter of a viewer's own scope: what the hub's `/version` answers that viewer, and what
 * a page prints as the client's `initialVersion` (the client's first check then catches a change made
 * between rendering the page and connecting).
 *
 * Print the counter of the viewer's own scope, never the global one: a specialist's page compared
 * against the global counter would see "a change" on every load (with `location.reload()`, a loop).
 *
 * ```php
 * $versions = new RealtimeBookings\Versions($redis);
 * $initialVersion = $versions->for(['role' => 'specialist', 'specialist_id' => 3]);
 * ```
 */
final class Versions
{
    private readonly RedisConnection $redis;

    private readonly RedisKeys $keys;

    /**
     * @param object         $redis a connected phpredis `\Redis` or `\RedisCluster`, a Predis client, or a
     *                              {@see RedisConnection}
     * @param RedisKeys|null $keys  the hub's names (its `--key-prefix`); `bookings` by default, the Cluster
     *                              names `{bookings}:…` on a Cluster
     * @throws \RealtimeBookings\Exception\ConfigurationException for an unsupported client, or names that do
     *                                                            not fit it (single-node names on a Cluster)
     */
    public function __construct(object $redis, ?RedisKeys $keys = null)
    {
        $this->redis = Connections::wrap($redis);
        $this->keys = Connections::keysFor($this->redis, $keys);
    }

    /**
     * The current version of the viewer's scope (0 before the first event).
     *
     * @param array<string, mixed>|Viewer $viewer e.g. `['role' => 'supervisor', 'workpoint_id' => 1]`
     * @throws InvalidViewerException for a viewer the hub would not accept
     * @throws RedisFailureException when Redis fails
     */
    public function for(array|Viewer $viewer): int
    {
        $value = $this->redis->get($this->keyFor($viewer));
        if ($value === null) {
            return 0;
        }
        if (preg_match('/^\d{1,18}$/D', $value) !== 1) {
            throw new RedisFailureException("the version counter holds \"$value\", not a count");
        }
        return (int) $value;
    }

    /**
     * The Redis key of that counter (`bookings:version:specialist:3`; `{bookings}:version:specialist:3` on Cluster).
     *
     * @param array<string, mixed>|Viewer $viewer
     * @throws InvalidViewerException
     */
    public function keyFor(array|Viewer $viewer): string
    {
        return $this->keys->versionKeyFor(Viewer::from($viewer));
    }
}
