<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\EventValidator;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\JsonLimits;

final class EventValidatorTest extends TestCase
{
    public function testTheEventJsonAndItsScopeAreWhatTheHubComputes(): void
    {
        $event = EventValidator::validate('update', ['id' => '42', 'specialist_id' => 5, 'workpoint_id' => 2.0, 'client' => 'Ann/Bob é'], ['specialist_id' => '5', 'workpoint_id' => 1], 'tab-1');
        $this->assertSame('{"type":"update","data":{"id":"42","specialist_id":5,"workpoint_id":2,"client":"Ann/Bob é"},"previous":{"specialist_id":"5","workpoint_id":1},"origin":"tab-1"}', $event->json);
        // 5 and "5" are one specialist: bumped once. The old workpoint is in scope too.
        $this->assertSame([['5'], ['2', '1']], [$event->specialists, $event->workpoints]);
    }

    public function testATestEventMayNameNoScopeAndAnEmptyPreviousIsLeftOut(): void
    {
        $event = EventValidator::validate('test', []);
        $this->assertSame(['{"type":"test","data":{}}', [], []], [$event->json, $event->specialists, $event->workpoints]);
        $moved = EventValidator::validate('delete', ['id' => 0, 'specialist_id' => 'sp-1', 'workpoint_id' => 'wp_1'], ['specialist_id' => null]);
        $this->assertSame('{"type":"delete","data":{"id":0,"specialist_id":"sp-1","workpoint_id":"wp_1"}}', $moved->json);
    }

    public function testTheLimitsAreTheHubsCountedInUtf16UnitsWithRoomForTheHistoryId(): void
    {
        $this->assertSame(4, JsonLimits::utf16Length("a\u{E9}\u{1F600}"));
        $base = strlen('{"type":"test","data":{"n":""}}');
        $fits = EventValidator::validate('test', ['n' => str_repeat('a', JsonLimits::MAX_LENGTH - EventValidator::ID_OVERHEAD - $base)]);
        $this->assertSame(JsonLimits::MAX_LENGTH - EventValidator::ID_OVERHEAD, strlen($fits->json));
        // A history id can be 31 characters: a channel message of the longest id still fits 65,536.
        $this->assertSame(JsonLimits::MAX_LENGTH, strlen('{"id":"' . str_repeat('9', 15) . '-' . str_repeat('9', 15) . '",' . substr($fits->json, 1)));
        try {
            EventValidator::validate('test', ['n' => str_repeat('a', JsonLimits::MAX_LENGTH - EventValidator::ID_OVERHEAD - $base + 1)]);
            $this->fail('accepted an event one character too long');
        } catch (InvalidEventException $error) {
            $this->assertSame(['too_large', null], [$error->errorCode, $error->field]);
        }
    }

    public function testDepthSixteenIsAcceptedAndSeventeenIsNot(): void
    {
        $nest = fn (int $levels) => array_reduce(range(1, $levels), fn ($inner) => [$inner], 1);
        // root (0) > data (1) > v (2) > … : 14 arrays below data reach depth 15, the deepest allowed.
        EventValidator::validate('test', ['v' => $nest(14)]);
        try {
            EventValidator::validate('test', ['v' => $nest(15)]);
            $this->fail('accepted an event deeper than 16 levels');
        } catch (InvalidEventException $error) {
            $this->assertSame(['too_deep', 'data.v' . str_repeat('[0]', 14)], [$error->errorCode, $error->field]);
        }
    }

    public function testSafeIntegersAndFloatsPassAndWiderIntegersDoNot(): void
    {
        EventValidator::validate('test', ['max' => 9_007_199_254_740_991, 'min' => -9_007_199_254_740_991, 'f' => 1.5e300]);
        foreach ([9_007_199_254_740_992, -9_007_199_254_740_992, PHP_INT_MIN] as $wide) {
            try {
                EventValidator::validate('test', ['list' => [1, $wide]]);
                $this->fail("accepted $wide");
            } catch (InvalidEventException $error) {
                $this->assertSame(['invalid_field', 'data.list[1]'], [$error->errorCode, $error->field]);
            }
        }
        $this->expectException(InvalidEventException::class);
        EventValidator::validate('test', ['f' => NAN]);
    }

    public function testATestEventCarriesNoPreviousScope(): void
    {
        try {
            EventValidator::validate('test', ['specialist_id' => 1], ['specialist_id' => 2]);
            $this->fail('accepted a test event with a previous scope');
        } catch (InvalidEventException $error) {
            $this->assertSame(['invalid_field', 'previous'], [$error->errorCode, $error->field]);
        }
    }
}
