<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Publisher;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;
use RealtimeBookings\Tests\Support\Hub;

/**
 * What every hub would drop is refused by the publisher with a typed exception, and nothing reaches
 * Redis: the history, the version counters and the channel are untouched.
 */
final class RefusedInputTest extends TestCase
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

    /**
     * @return array<string, array{0: string, 1: string, 2: string|null, 3: \Closure(int): array{0: string, 1: array, 2: ?array, 3: ?string}}>
     */
    public static function refused(): array
    {
        $deep = ['x' => 1];
        for ($i = 0; $i < 15; $i++) {
            $deep = ['x' => $deep];
        }
        $cases = [
            'nested 17 levels' => ['too_deep', 'data.deep' . str_repeat('.x', 14), fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'deep' => $deep], null, null]],
            '__proto__ key' => ['forbidden_key', 'data.meta.__proto__', fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'meta' => ['__proto__' => ['admin' => true]]], null, null]],
            'constructor key' => ['forbidden_key', 'data.constructor', fn (int $s) => ['update', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'constructor' => 1], null, null]],
            'oversized' => ['too_large', null, fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'notes' => str_repeat('é', 65_500)], null, null]],
            'integer above 2^53 in a field' => ['invalid_field', 'data.amount', fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'amount' => 9_007_199_254_740_993], null, null]],
            'integer above 2^53 as the id' => ['invalid_field', 'data.id', fn (int $s) => ['delete', ['id' => PHP_INT_MAX, 'specialist_id' => $s, 'workpoint_id' => 1], null, null]],
            'negative id' => ['invalid_field', 'data.workpoint_id', fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => -1], null, null]],
            'id with a colon' => ['invalid_field', 'previous.workpoint_id', fn (int $s) => ['update', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1], ['workpoint_id' => '1:2'], null]],
            'missing specialist' => ['missing_field', 'data.specialist_id', fn (int $s) => ['create', ['id' => 1, 'workpoint_id' => 1, 'for' => $s], null, null]],
            'unknown type' => ['invalid_field', 'type', fn (int $s) => ['created', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1], null, null]],
            'origin with a newline' => ['invalid_field', 'origin', fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1], null, "tab\n1"]],
            'origin too long' => ['invalid_field', 'origin', fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1], null, str_repeat('a', 65)]],
            'invalid UTF-8' => ['invalid_field', null, fn (int $s) => ['create', ['id' => 1, 'specialist_id' => $s, 'workpoint_id' => 1, 'client' => "\xC3\x28"], null, null]],
            'a list as data' => ['invalid_field', 'data', fn (int $s) => ['test', [$s, 1], null, null]],
        ];
        $rows = [];
        foreach (Clients::names() as $client => [$name]) {
            foreach ($cases as $label => $case) {
                $rows["$client: $label"] = [$name, ...$case];
            }
        }
        return $rows;
    }

    /**
     * @dataProvider refused
     * @param \Closure(int): array{0: string, 1: array, 2: ?array, 3: ?string} $make
     */
    public function testRefusedWithTheHubsCodeAndNothingPublished(string $client, string $code, ?string $field, \Closure $make): void
    {
        $redisUrl = $this->hub->env['redis'];
        $inspector = Clients::inspector($redisUrl);
        $specialistId = Clients::uniqueId($redisUrl);
        $admin = $this->hub->stream(['role' => 'admin']);
        $counters = ['bookings:version', "bookings:version:specialist:$specialistId", 'bookings:version:workpoint:1'];
        $before = [$inspector->xLen('bookings:history'), $inspector->mGet($counters)];
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        [$type, $data, $previous, $origin] = $make($specialistId);

        foreach ([fn () => $publisher->publish($type, $data, $previous, $origin), fn () => $publisher->publishLegacy($type, $data, $origin)] as $i => $publish) {
            if ($i === 1 && $previous !== null) {
                continue; // publishLegacy takes no previous scope
            }
            try {
                $publish();
                $this->fail('published what every hub refuses');
            } catch (InvalidEventException $error) {
                $this->assertSame([$code, $field], [$error->errorCode, $error->field], $error->getMessage());
                $this->assertStringStartsWith('realtime-bookings: invalid booking event: ', $error->getMessage());
            }
        }

        $this->assertSame($before, [$inspector->xLen('bookings:history'), $inspector->mGet($counters)]);
        // Nothing went out on the channel either: the admin's first event is the marker that follows.
        $marker = $publisher->publish('test', ['specialist_id' => $specialistId, 'marker' => true]);
        $this->assertSame($marker, $admin->waitFor(1)[0]['id']);
    }
}
