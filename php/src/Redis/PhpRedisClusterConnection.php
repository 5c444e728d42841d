<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\RedisFailureException;

/**
 * {@see ClusterConnection} on the phpredis extension's `RedisCluster` class. Like
 * {@see PhpRedisConnection}, the client must have no `OPT_PREFIX` and no serializer. `RedisCluster`
 * routes a script by its first key and follows `MOVED` after a failover; every key of the publish
 * script shares one hash tag, so it runs on one node.
 */
final class PhpRedisClusterConnection implements ClusterConnection
{
    /**
     * @param \RedisCluster $redis a client built with the Cluster's seed nodes
     * @throws ConfigurationException when the client prefixes keys or serializes values
     */
    public function __construct(private readonly \RedisCluster $redis)
    {
        $prefix = $redis->getOption(\RedisCluster::OPT_PREFIX);
        if (is_string($prefix) && $prefix !== '') {
            throw new ConfigurationException("the RedisCluster client has OPT_PREFIX \"$prefix\": give the prefix to the Publisher instead (new RedisKeys('…', cluster: true)) and use a client without one");
        }
        if ($redis->getOption(\RedisCluster::OPT_SERIALIZER) !== \RedisCluster::SERIALIZER_NONE) {
            throw new ConfigurationException('the RedisCluster client has a serializer (OPT_SERIALIZER): use a client with RedisCluster::SERIALIZER_NONE, the hub reads plain JSON');
        }
    }

    public function evalScript(string $script, string $sha1, array $keys, array $args): mixed
    {
        $arguments = [...$keys, ...$args];
        // Scripts are not replicated: a newly promoted master answers NOSCRIPT once.
        $reply = $this->call(fn () => $this->redis->evalSha($sha1, $arguments, count($keys)));
        if ($reply === false && str_starts_with((string) $this->redis->getLastError(), 'NOSCRIPT')) {
            $reply = $this->call(fn () => $this->redis->eval($script, $arguments, count($keys)));
        }
        if ($reply === false && $this->redis->getLastError() !== null) {
            throw new RedisFailureException((string) $this->redis->getLastError());
        }
        return $reply;
    }

    public function publish(string $channel, string $message): int
    {
        $reply = $this->call(fn () => $this->redis->publish($channel, $message));
        if (!is_int($reply)) {
            throw new RedisFailureException('PUBLISH answered ' . var_export($reply, true) . ': ' . $this->redis->getLastError());
        }
        return $reply;
    }

    public function get(string $key): ?string
    {
        $reply = $this->call(fn () => $this->redis->get($key));
        if ($reply === false) {
            if ($this->redis->getLastError() !== null) {
                throw new RedisFailureException((string) $this->redis->getLastError());
            }
            return null;
        }
        if (!is_string($reply)) {
            throw new RedisFailureException('GET answered ' . get_debug_type($reply) . ': is the client in MULTI mode?');
        }
        return $reply;
    }

    /** Runs one command with a clean last error; a connection or cluster failure becomes RedisFailureException. */
    private function call(\Closure $command): mixed
    {
        $this->redis->clearLastError();
        try {
            return $command();
        } catch (\RedisClusterException | \RedisException $error) {
            throw new RedisFailureException($error->getMessage(), $error);
        }
    }
}
