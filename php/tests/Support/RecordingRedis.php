<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

use RealtimeBookings\Redis\RedisConnection;

/** Records every call; answers a history id, and 5 to every GET. */
class RecordingRedis implements RedisConnection
{
    /** @var list<array{0: string, 1: string, 2: list<string>, 3: list<string>}> */
    public array $evals = [];
    /** @var list<string> */
    public array $gets = [];
    /** @var list<string> */
    public array $publishes = [];

    public function evalScript(string $script, string $sha1, array $keys, array $args): mixed
    {
        $this->evals[] = [$script, $sha1, $keys, $args];
        return count($this->evals) . '-0';
    }

    public function publish(string $channel, string $message): int
    {
        $this->publishes[] = $channel;
        return 1;
    }

    public function get(string $key): ?string
    {
        $this->gets[] = $key;
        return '5';
    }
}
