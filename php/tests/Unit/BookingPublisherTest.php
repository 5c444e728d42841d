<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\BookingPublisher;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Publisher;
use RealtimeBookings\Tests\Support\RecordingRedis;

/** The Redis Publisher as a BookingPublisher (HttpPublisher's side: HttpPublisherBehaviourTest). */
final class BookingPublisherTest extends TestCase
{
    public function testTheRedisPublisherSendsAnIdempotencyKeyToTheScriptAsItsRecordAndWindow(): void
    {
        $redis = new RecordingRedis();
        $publisher = new Publisher($redis);
        $this->assertInstanceOf(BookingPublisher::class, $publisher);
        $this->assertSame('1-0', $publisher->publish('create', ['id' => 1, 'specialist_id' => 2, 'workpoint_id' => 3], null, null, 'key-1'));
        $this->assertCount(1, $redis->evals);
        [, , $keys, $args] = $redis->evals[0];
        $this->assertSame('bookings:idempotency:' . hash('sha256', 'key-1'), end($keys));
        $this->assertSame('86400000', $args[3] ?? null);
    }

    public function testAMalformedKeyIsRefusedBeforeAnythingIsSent(): void
    {
        $redis = new RecordingRedis();
        $publisher = new Publisher($redis);
        $this->expectException(InvalidEventException::class);
        try {
            $publisher->publish('create', ['id' => 1, 'specialist_id' => 2, 'workpoint_id' => 3], null, null, "two words");
        } finally {
            $this->assertSame([], $redis->evals);
        }
    }
}
