<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Publisher;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;
use RealtimeBookings\Tests\Support\Hub;
use RealtimeBookings\Versions;

/**
 * `publish(..., idempotencyKey: …)` with each Redis client, on the real hub: a retried publish with
 * the same key reaches the viewers once and returns the first id; the same key with another event,
 * and a malformed key, are refused with nothing written.
 */
final class IdempotentPublishTest extends TestCase
{
    private Hub $hub;

    protected function setUp(): void
    {
        $this->hub = new Hub(Environment::require($this));
    }

    protected function tearDown(): void
    {
        $this->hub->closeStreams();
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testARetryWithTheSameKeyPublishesOnceAndReturnsTheFirstId(string $client): void
    {
        $redisUrl = $this->hub->env['redis'];
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        $inspector = Clients::inspector($redisUrl);
        $specialistId = Clients::uniqueId($redisUrl);
        $stream = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $specialistId]);
        $key = "booking-$specialistId-created";
        $row = ['id' => $specialistId, 'specialist_id' => $specialistId, 'workpoint_id' => 1];

        $first = $publisher->publish('create', $row, null, null, $key);
        $retry = $publisher->publish('create', $row, null, null, $key);
        // A marker published after both: the stream's second event must be it, not a duplicate.
        $marker = $publisher->publish('delete', $row);

        $this->assertSame($first, $retry);
        $this->assertSame([$first, $marker], array_map(static fn (array $e) => $e['id'], $stream->waitFor(2)));
        $this->assertSame(2, (new Versions($inspector))->for(['role' => 'specialist', 'specialist_id' => $specialistId]));
        $pttl = $inspector->pttl('bookings:idempotency:' . hash('sha256', $key));
        $this->assertGreaterThan(23 * 3_600_000, $pttl);
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testTheSameKeyWithAnotherEventAndAMalformedKeyAreRefusedWithNothingWritten(string $client): void
    {
        $redisUrl = $this->hub->env['redis'];
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        $inspector = Clients::inspector($redisUrl);
        $specialistId = Clients::uniqueId($redisUrl);
        $key = "booking-$specialistId";
        $publisher->publish('create', ['id' => 1, 'specialist_id' => $specialistId, 'workpoint_id' => 1], null, null, $key);
        $historyBefore = $inspector->xLen('bookings:history');

        $refusals = [];
        foreach (['another event' => $key, 'a space' => 'two words', 'empty' => '', 'too long' => str_repeat('k', 256)] as $case => $badKey) {
            try {
                $publisher->publish('update', ['id' => 1, 'specialist_id' => $specialistId, 'workpoint_id' => 2], null, null, $badKey);
                $refusals[$case] = 'published';
            } catch (InvalidEventException $e) {
                $refusals[$case] = [$e->errorCode, $e->field];
            }
        }

        $this->assertSame([
            'another event' => ['idempotency_key_reused', 'idempotencyKey'],
            'a space' => ['invalid_field', 'idempotencyKey'],
            'empty' => ['invalid_field', 'idempotencyKey'],
            'too long' => ['invalid_field', 'idempotencyKey'],
        ], $refusals);
        $this->assertSame($historyBefore, $inspector->xLen('bookings:history'));
        $this->assertSame(1, (new Versions($inspector))->for(['role' => 'specialist', 'specialist_id' => $specialistId]));
    }
}
