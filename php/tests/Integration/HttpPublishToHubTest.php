<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\BookingPublisher;
use RealtimeBookings\Exception\HubUnavailableException;
use RealtimeBookings\Exception\PublishRefusedException;
use RealtimeBookings\HttpPublisher;
use RealtimeBookings\Publisher;
use RealtimeBookings\PublisherToken;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;
use RealtimeBookings\Tests\Support\Hub;
use RealtimeBookings\Versions;

/**
 * HttpPublisher against the real hub CLI (POST /publish) on a real redis-server: an event reaches the
 * SSE viewers of its scope and nobody else; every refused credential is refused with the hub's reason
 * and leaves the history untouched; a hub whose Redis is gone answers 503 and its Retry-After is
 * honoured, a bounded number of times.
 */
final class HttpPublishToHubTest extends TestCase
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

    public function testAPublishOverHttpReachesTheViewersOfItsScopeAndNotAnotherScope(): void
    {
        $redisUrl = $this->hub->env['redis'];
        $publisher = $this->publisher();
        $this->assertInstanceOf(BookingPublisher::class, $publisher);
        [$mine, $other, $workpoint, $booking] = [Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl)];
        $specialist = $this->hub->stream(['role' => 'specialist', 'specialist_id' => $mine]);
        $supervisor = $this->hub->stream(['role' => 'supervisor', 'workpoint_id' => $workpoint]);
        $stranger = $this->hub->stream(['role' => 'supervisor', 'workpoint_id' => $workpoint + 1]);

        $row = ['id' => $booking, 'specialist_id' => (string) $mine, 'workpoint_id' => $workpoint, 'client' => "Zoë \u{1F600} </script>"];
        $id = $publisher->publish('create', $row, null, 'tab-http');
        // A marker for the stranger's scope: its FIRST event shows it did not receive the one above.
        $marker = $publisher->publish('delete', ['id' => $booking + 1, 'specialist_id' => $other, 'workpoint_id' => $workpoint + 1]);

        $expected = ['event' => 'booking', 'id' => $id, 'data' => ['type' => 'create', 'data' => $row, 'origin' => 'tab-http']];
        $this->assertSame($expected, $this->decoded($specialist->waitFor(1)[0]));
        $this->assertSame($expected, $this->decoded($supervisor->waitFor(1)[0]));
        $this->assertSame($marker, $stranger->waitFor(1)[0]['id']);
        // The same atomic publish as over Redis: the viewer's version went up.
        $viewer = ['role' => 'specialist', 'specialist_id' => $mine];
        $this->assertSame([200, ['version' => 1]], $this->hub->version($this->hub->token($viewer)));
        $this->assertSame(1, (new Versions(Clients::inspector($redisUrl)))->for($viewer));
    }

    public function testAViewerTokenCannotPublish(): void
    {
        $viewerToken = $this->hub->token(['role' => 'admin']);
        $error = $this->refused(new HttpPublisher($this->hub->env['hub'], $viewerToken), ['id' => 1, 'specialist_id' => 1, 'workpoint_id' => 1]);
        $this->assertSame([403, 'forbidden'], [$error->status, $error->reason]);
        $this->assertStringContainsString('mint a publisher token', $error->getMessage());
    }

    public function testAWorkpointLimitedTokenPublishesOnlyForItsWorkpoints(): void
    {
        $redisUrl = $this->hub->env['redis'];
        [$allowed, $forbidden] = [Clients::uniqueId($redisUrl), Clients::uniqueId($redisUrl)];
        $tokens = $this->tokens();
        $limited = new HttpPublisher($this->hub->env['hub'], fn () => $tokens->mint([$allowed], 'limited-app', 60));
        $stream = $this->hub->stream(['role' => 'supervisor', 'workpoint_id' => $allowed]);

        $id = $limited->publish('create', ['id' => 1, 'specialist_id' => 1, 'workpoint_id' => (string) $allowed]);
        $this->assertSame($id, $stream->waitFor(1)[0]['id']);
        $error = $this->refused($limited, ['id' => 2, 'specialist_id' => 1, 'workpoint_id' => $forbidden]);
        $this->assertSame([403, 'publish_forbidden'], [$error->status, $error->reason]);
        $this->assertStringContainsString("workpoint $forbidden", $error->getMessage());
        // A move out of another workpoint names that workpoint too.
        $error = $this->refused($limited, ['id' => 3, 'specialist_id' => 1, 'workpoint_id' => $allowed], ['workpoint_id' => $forbidden]);
        $this->assertSame([403, 'publish_forbidden'], [$error->status, $error->reason]);
    }

    public function testExpiredForeignAndUnscopedPublisherTokensAreRefusedWithTheirReason(): void
    {
        $env = $this->hub->env;
        $hourAgo = fn (): int => time() - 3600;
        $cases = [
            'expired an hour ago' => [PublisherToken::hs256($env['secret'], $env['issuer'], $env['audience'], $hourAgo)->mint(ttl: 60), 'token_expired'],
            'another secret' => [PublisherToken::hs256(str_repeat('s', 40), $env['issuer'], $env['audience'])->mint(), 'token_signature'],
            'another audience' => [PublisherToken::hs256($env['secret'], $env['issuer'], 'another-hub')->mint(), 'token_claims'],
        ];
        foreach ($cases as $label => [$token, $reason]) {
            $error = $this->refused(new HttpPublisher($env['hub'], $token), ['id' => 1, 'specialist_id' => 1, 'workpoint_id' => 1]);
            $this->assertSame([401, $reason], [$error->status, $error->reason], $label);
        }
    }

    public function testAHubWithoutRedisAnswers503AndEachRetryWaitsItsRetryAfter(): void
    {
        $sleeps = [];
        $tokens = $this->tokens();
        $publisher = new HttpPublisher($this->hub->env['hubWithoutRedis'], fn () => $tokens->mint(ttl: 60), attempts: 3, sleep: function (float $seconds) use (&$sleeps): void {
            $sleeps[] = $seconds;
        });
        try {
            $publisher->publish('create', ['id' => 1, 'specialist_id' => 1, 'workpoint_id' => 1]);
            $this->fail('published without Redis');
        } catch (HubUnavailableException $error) {
            $this->assertStringContainsString('503 broker_unavailable after 3 attempt(s)', $error->getMessage());
            // The hub's Retry-After for a Redis outage: 2 s, jittered up to three times that.
            $this->assertContains($error->retryAfter, range(2, 6));
            $this->assertTrue($error->maybePublished);
        }
        $this->assertCount(2, $sleeps);
        foreach ($sleeps as $wait) {
            $this->assertContains($wait, [2.0, 3.0, 4.0, 5.0, 6.0]);
        }
    }

    /** A repeated publish with one key is stored and delivered once, and answers the first id. */
    public function testTheSameIdempotencyKeyTwicePublishesOnce(): void
    {
        $redisUrl = $this->hub->env['redis'];
        $workpoint = Clients::uniqueId($redisUrl);
        $stream = $this->hub->stream(['role' => 'supervisor', 'workpoint_id' => $workpoint]);
        $inspector = Clients::inspector($redisUrl);
        $before = $inspector->xLen('bookings:history');
        $key = 'php-e2e-' . bin2hex(random_bytes(8));
        $row = ['id' => 7, 'specialist_id' => 1, 'workpoint_id' => $workpoint];
        $first = $this->publisher()->publish('create', $row, null, null, $key);
        $this->assertSame($first, $this->publisher()->publish('create', $row, null, null, $key));
        $this->assertSame($before + 1, $inspector->xLen('bookings:history'));
        $marker = $this->publisher()->publish('create', ['id' => 8] + $row);
        $this->assertSame([$first, $marker], array_column($stream->waitFor(2), 'id'));
        // Another body under the same key is refused.
        $error = $this->refused($this->publisher(), ['id' => 9] + $row, null, $key);
        $this->assertSame([422, 'idempotency_key_reused'], [$error->status, $error->reason]);
    }

    private function tokens(): PublisherToken
    {
        return PublisherToken::hs256($this->hub->env['secret'], $this->hub->env['issuer'], $this->hub->env['audience']);
    }

    private function publisher(): HttpPublisher
    {
        $tokens = $this->tokens();
        return new HttpPublisher($this->hub->env['hub'], fn () => $tokens->mint(subject: 'php-tests', ttl: 60));
    }

    /**
     * Publishes what the hub must refuse; asserts nothing reached the history.
     *
     * @param array<string, mixed>      $booking
     * @param array<string, mixed>|null $previous
     */
    private function refused(HttpPublisher $publisher, array $booking, ?array $previous = null, ?string $key = null): PublishRefusedException
    {
        $inspector = Clients::inspector($this->hub->env['redis']);
        $before = $inspector->xLen('bookings:history');
        try {
            $publisher->publish('update', $booking, $previous, null, $key);
        } catch (PublishRefusedException $error) {
            $this->assertSame($before, $inspector->xLen('bookings:history'), 'a refused publish reached the history');
            return $error;
        }
        $this->fail('the hub accepted the publish');
    }

    /** @param array{event: string, id: string|null, data: string} $event */
    private function decoded(array $event): array
    {
        return ['event' => $event['event'], 'id' => $event['id'], 'data' => json_decode($event['data'], true, 512, JSON_THROW_ON_ERROR)];
    }
}
