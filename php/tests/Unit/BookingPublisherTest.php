<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\BookingPublisher;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Publisher;
use RealtimeBookings\Tests\Support\RecordingRedis;

/** The Redis Publisher as a BookingPublisher (HttpPublisher's side: HttpPublisherBehaviourTest). */
final class BookingPublisherTest extends TestCase
{
    public function testTheRedisPublisherRefusesAnIdempotencyKeyItCannotHonourAndWritesNothing(): void
    {
        $redis = new RecordingRedis();
        $publisher = new Publisher($redis);
        $this->assertInstanceOf(BookingPublisher::class, $publisher);
        try {
            $publisher->publish('create', ['id' => 1, 'specialist_id' => 2, 'workpoint_id' => 3], null, null, 'key-1');
            $this->fail('the key was ignored');
        } catch (ConfigurationException $error) {
            $this->assertStringContainsString('does not honour idempotency keys', $error->getMessage());
        }
        $this->assertSame([], $redis->evals);
        $this->assertSame('1-0', $publisher->publish('create', ['id' => 1, 'specialist_id' => 2, 'workpoint_id' => 3]));
    }
}
