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
    /** @return array<string, array{0: string}> a data provider: one row per client */
    public static function names(): array
    {
        return ['phpredis' => ['phpredis'], 'predis' => ['predis']];
    }

    /** A connected client of that kind. */
    public static function connect(string $name, string $url): object
    {
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
