<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\RedisFailureException;

/**
 * {@see RedisConnection} on the phpredis extension's `Redis` class (Debian/Ubuntu: `php-redis`;
 * `pecl install redis`). The client must have no `OPT_PREFIX` and no serializer: the hub reads the
 * keys and the JSON exactly as they are named and written.
 */
final class PhpRedisConnection implements RedisConnection
{
    /**
     * @param \Redis $redis a connected client
     * @throws ConfigurationException when the client prefixes keys or serializes values
     */
    public function __construct(private readonly \Redis $redis)
    {
        try {
            $prefix = $redis->getOption(\Redis::OPT_PREFIX);
            $serializer = $redis->getOption(\Redis::OPT_SERIALIZER);
        } catch (\RedisException $error) {
            throw new ConfigurationException('the phpredis client is not connected: call connect() before handing it over (' . $error->getMessage() . ')', $error);
        }
        if (is_string($prefix) && $prefix !== '') {
            throw new ConfigurationException("the phpredis client has OPT_PREFIX \"$prefix\": give the prefix to the Publisher instead (new RedisKeys('{$prefix}…')) and use a client without one");
        }
        if ($serializer !== \Redis::SERIALIZER_NONE) {
            throw new ConfigurationException('the phpredis client has a serializer (OPT_SERIALIZER): use a client with Redis::SERIALIZER_NONE, the hub reads plain JSON');
        }
    }

    public function evalScript(string $script, string $sha1, array $keys, array $args): mixed
    {
        $arguments = [...$keys, ...$args];
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
            throw new RedisFailureException('GET answered ' . get_debug_type($reply) . ': is the client in MULTI or pipeline mode?');
        }
        return $reply;
    }

    /** Runs one command with a clean last error; a connection failure becomes RedisFailureException. */
    private function call(\Closure $command): mixed
    {
        $this->redis->clearLastError();
        try {
            return $command();
        } catch (\RedisException $error) {
            throw new RedisFailureException($error->getMessage(), $error);
        }
    }
}
