<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Publisher;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;
use RealtimeBookings\Tests\Support\Hub;
use RealtimeBookings\Versions;

/**
 * PHP publishes with each Redis client; the real hub streams the event to the viewers of its scope
 * and to nobody else, over SSE.
 */
final class PublishToHubTest extends TestCase
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
    public function testAnEventReachesTheViewersOfItsScopeAndNotAnotherScope(string $client): void
    {
        $redisUrl = $this->hub->env['redis'];
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        [$mine, $other, $workpoint, $booking] = [Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl)];
        $specialist = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $mine]);
        $supervisor = $this->hub->stream(['role' => 'supervisor', 'workpoint_id' => (string) $workpoint]);
        $stranger = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $other]);

        $row = ['id' => $booking, 'specialist_id' => (string) $mine, 'workpoint_id' => $workpoint, 'client' => "Zoë \u{1F600} </script>", 'start' => '2026-12-01 09:30'];
        $id = $publisher->publish('create', $row, null, "tab-$client");
        // A marker for the stranger's scope: its FIRST event shows it did not receive the one above.
        $marker = $publisher->publish('create', ['id' => $booking + 1, 'specialist_id' => $other, 'workpoint_id' => $workpoint + 1]);

        // The origin travels with the event, so the tab that made the change can skip its own refresh.
        $expected = ['event' => 'booking', 'id' => $id, 'data' => ['type' => 'create', 'data' => $row, 'origin' => "tab-$client"]];
        $this->assertSame($expected, $this->decoded($specialist->waitFor(1)[0]));
        $this->assertSame($expected, $this->decoded($supervisor->waitFor(1)[0]));
        $this->assertSame(['event' => 'booking', 'id' => $marker, 'data' => ['type' => 'create', 'data' => ['id' => $booking + 1, 'specialist_id' => $other, 'workpoint_id' => $workpoint + 1]]], $this->decoded($stranger->waitFor(1)[0]));

        // The counters the script bumped are the ones the hub's /version reads for each viewer.
        $versions = new Versions(Clients::connect($client, $redisUrl));
        $viewer = ['role' => 'specialist', 'specialist_id' => $mine];
        $this->assertSame(1, $versions->for($viewer));
        $this->assertSame([200, ['version' => 1]], $this->hub->version($this->hub->token($viewer)));
        $this->assertSame(1, $versions->for(['role' => 'supervisor', 'workpoint_id' => $workpoint]));
        $this->assertSame(0, $versions->for(['role' => 'supervisor', 'workpoint_id' => $workpoint + 2]));

        // A move: the old specialist hears that the booking left, the new one that it arrived.
        $moved = $publisher->publish('update', ['id' => $booking, 'specialist_id' => $other, 'workpoint_id' => $workpoint], ['specialist_id' => $mine, 'workpoint_id' => null]);
        foreach ([$specialist, $stranger] as $stream) {
            $event = $this->decoded($stream->waitFor(2)[1]);
            $this->assertSame(['event' => 'booking', 'id' => $moved, 'data' => ['type' => 'update', 'data' => ['id' => $booking, 'specialist_id' => $other, 'workpoint_id' => $workpoint], 'previous' => ['specialist_id' => $mine]]], $event);
        }
        $this->assertSame(2, $versions->for($viewer));
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testALegacyPublishArrivesLiveWithoutAnIdAndWithoutAVersion(string $client): void
    {
        $redisUrl = $this->hub->env['redis'];
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        $inspector = Clients::inspector($redisUrl);
        $specialistId = Clients::uniqueId($redisUrl);
        $stream = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $specialistId]);
        $historyBefore = $inspector->xLen('bookings:history');

        $this->assertGreaterThanOrEqual(1, $publisher->publishLegacy('delete', ['id' => 5, 'specialist_id' => $specialistId, 'workpoint_id' => 1]));

        $this->assertSame(['event' => 'booking', 'id' => null, 'data' => ['type' => 'delete', 'data' => ['id' => 5, 'specialist_id' => $specialistId, 'workpoint_id' => 1]]], $this->decoded($stream->waitFor(1)[0]));
        $this->assertSame($historyBefore, $inspector->xLen('bookings:history'));
        $this->assertSame(0, (new Versions($inspector))->for(['role' => 'specialist', 'specialist_id' => $specialistId]));
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testTheScriptIsLoadedAgainWhenRedisForgotIt(string $client): void
    {
        $redisUrl = $this->hub->env['redis'];
        Clients::inspector($redisUrl)->script('flush');
        $publisher = new Publisher(Clients::connect($client, $redisUrl));
        $specialistId = Clients::uniqueId($redisUrl);
        $stream = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $specialistId]);

        $id = $publisher->publish('test', ['specialist_id' => $specialistId, 'note' => 'after SCRIPT FLUSH']);

        $this->assertSame($id, $stream->waitFor(1)[0]['id']);
        $this->assertSame([1], Clients::inspector($redisUrl)->script('exists', sha1(\RealtimeBookings\PublishScript::SOURCE)));
    }

    /** @param array{event: string, id: string|null, data: string} $event */
    private function decoded(array $event): array
    {
        return ['event' => $event['event'], 'id' => $event['id'], 'data' => json_decode($event['data'], true, 512, JSON_THROW_ON_ERROR)];
    }
}
