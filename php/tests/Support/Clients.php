<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

use RealtimeBookings\Cli\RedisClients;

/**
 * The Redis clients every integration test runs with: phpredis and Predis, both real, on the
 * harness's redis-server.
 */
final class Clients
{
    /** @return array<string, array{0: string}> a data provider: one row per client (and Predis mode) */
    public static function names(): array
    {
        return ['phpredis' => ['phpredis'], 'predis' => ['predis'], 'predis-returning-errors' => ['predis-returning-errors']];
    }

    /**
     * A connected client of that kind. `predis-returning-errors` is Predis with `'exceptions' => false`
     * (server errors come back as values instead of being thrown).
     */
    public static function connect(string $name, string $url): object
    {
        if ($name === 'predis-returning-errors') {
            $parts = parse_url($url);
            return new \Predis\Client(['host' => $parts['host'] ?? '127.0.0.1', 'port' => $parts['port'] ?? 6379, 'timeout' => 2.0], ['exceptions' => false]);
        }
        $client = RedisClients::connect($url, $name);
        if ($name === 'predis') {
            // Say which Predis ran, so the report can tell 1.1 (Debian) from 2.x.
            \PHPUnit\Framework\Assert::assertMatchesRegularExpression('/^[12]\./', \Predis\Client::VERSION);
        }
        return $client;
    }

    /** A plain phpredis client to inspect Redis with (history length, counters). */
    public static function inspector(string $url): \Redis
    {
        $redis = RedisClients::connect($url, 'phpredis');
        assert($redis instanceof \Redis);
        return $redis;
    }

    /** A fresh id no other test used, so tests share one Redis and one hub without hearing each other. */
    public static function uniqueId(string $url): int
    {
        return 1000 + (int) self::inspector($url)->incr('php-tests:next-id');
    }
}
