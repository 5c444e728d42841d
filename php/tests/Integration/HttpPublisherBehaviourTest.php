<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\EventValidator;
use RealtimeBookings\Exception\HubTimeoutException;
use RealtimeBookings\Exception\HubUnavailableException;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Exception\PublishRefusedException;
use RealtimeBookings\HttpPublisher;
use RealtimeBookings\PublisherToken;
use RealtimeBookings\Tests\Support\FakeHub;

/**
 * HttpPublisher against a stand-in hub on `php -S` (real HTTP on loopback) that answers exactly what a
 * case needs and records what arrived: what is sent, which answers are retried and how long it waits
 * (recorded, not slept), and which exception each failure becomes. The real hub's side is
 * HttpPublishToHubTest.
 */
final class HttpPublisherBehaviourTest extends TestCase
{
    private const SECRET = 'behaviour-test-secret-0123456789-abcdefghij';

    private const BOOKING = ['id' => 42, 'specialist_id' => 3, 'workpoint_id' => 1];

    private ?FakeHub $hub = null;

    /** @var list<float> */
    private array $sleeps = [];

    protected function tearDown(): void
    {
        $this->hub?->stop();
    }

    public function testAnInvalidEventOrKeyNeverLeavesPhpAndThrowsWhatTheRedisPublisherThrows(): void
    {
        $publisher = $this->publisher([FakeHub::json(200, ['id' => '1-0'])]);
        $cases = [
            'an unknown type' => [fn () => $publisher->publish('created', self::BOOKING), ['invalid_field', 'type']],
            'no workpoint' => [fn () => $publisher->publish('create', ['id' => 1, 'specialist_id' => 3]), ['missing_field', 'data.workpoint_id']],
            'a previous workpoint with a colon' => [fn () => $publisher->publish('update', self::BOOKING, ['workpoint_id' => '1:2']), ['invalid_field', 'previous.workpoint_id']],
            'a __proto__ key' => [fn () => $publisher->publish('create', self::BOOKING + ['x' => ['__proto__' => 1]]), ['forbidden_key', 'data.x.__proto__']],
            'an unsafe integer' => [fn () => $publisher->publish('create', self::BOOKING + ['amount' => 2 ** 60]), ['invalid_field', 'data.amount']],
            'a key that would inject a header' => [fn () => $publisher->publish('create', self::BOOKING, null, null, "k\r\nX-Evil: 1"), ['invalid_field', 'idempotencyKey']],
            'an empty key' => [fn () => $publisher->publish('create', self::BOOKING, null, null, ''), ['invalid_field', 'idempotencyKey']],
        ];
        foreach ($cases as $label => [$publish, $expected]) {
            try {
                $publish();
                $this->fail("$label: published");
            } catch (InvalidEventException $error) {
                $this->assertSame($expected, [$error->errorCode, $error->field], "$label: {$error->getMessage()}");
            }
        }
        // The same refusal as the validator every publisher shares (the Redis Publisher's).
        try {
            EventValidator::validate('create', ['id' => 1, 'specialist_id' => 3]);
            $this->fail('the validator accepted an event without a workpoint');
        } catch (InvalidEventException $error) {
            $this->assertSame(['missing_field', 'data.workpoint_id'], [$error->errorCode, $error->field]);
        }
        $this->assertSame([], $this->hub?->requests());
    }

    public function testAPublishSendsTheValidatedEventWithTheTokenAndAnIdempotencyKey(): void
    {
        $publisher = $this->publisher([FakeHub::json(200, ['id' => '1800000000000-0'])], '/realtime/');
        $this->assertSame('1800000000000-0', $publisher->publish('update', self::BOOKING, ['workpoint_id' => 2], 'tab-1', 'outbox-17'));
        $publisher->publish('create', self::BOOKING);
        $publisher->publish('create', self::BOOKING);
        $requests = $this->hub?->requests() ?? [];
        $this->assertCount(3, $requests);
        $first = $requests[0];
        $this->assertSame(['POST', '/realtime/publish'], [$first['method'], $first['path']]);
        $this->assertSame(EventValidator::validate('update', self::BOOKING, ['workpoint_id' => 2], 'tab-1')->json, $first['body']);
        $this->assertSame('application/json', $first['headers']['content-type'] ?? null);
        $this->assertSame('outbox-17', $first['headers']['idempotency-key'] ?? null);
        $this->assertSame(['publish' => true, 'sub' => 'publisher'], array_intersect_key($this->claims($first['headers']['authorization'] ?? ''), ['publish' => 0, 'sub' => 0]));
        // Without a key each publish gets a random one of its own.
        $generated = [$requests[1]['headers']['idempotency-key'] ?? '', $requests[2]['headers']['idempotency-key'] ?? ''];
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $generated[0]);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $generated[1]);
        $this->assertNotSame($generated[0], $generated[1]);
    }

    public function testA503IsRetriedAfterItsRetryAfterWithTheSameKeyAndAFreshToken(): void
    {
        $publisher = $this->publisher([
            FakeHub::json(503, ['error' => 'broker_unavailable', 'message' => 'The event could not be stored; retry later.'], ['Retry-After' => '4']),
            FakeHub::json(200, ['id' => '1800000000000-1']),
        ]);
        $this->assertSame('1800000000000-1', $publisher->publish('create', self::BOOKING));
        $this->assertSame([4.0], $this->sleeps);
        $requests = $this->hub?->requests() ?? [];
        $this->assertCount(2, $requests);
        $this->assertSame($requests[0]['headers']['idempotency-key'], $requests[1]['headers']['idempotency-key']);
        $this->assertSame($requests[0]['body'], $requests[1]['body']);
        $this->assertNotSame($this->claims($requests[0]['headers']['authorization'])['jti'], $this->claims($requests[1]['headers']['authorization'])['jti']);
    }

    public function testARetryAfterGivenAsAnHttpDateIsWaitedForAndAReplayedAnswerIsTheId(): void
    {
        $publisher = $this->publisher([
            FakeHub::json(503, ['error' => 'broker_unavailable', 'message' => 'retry later'], ['Retry-After' => gmdate(DATE_RFC7231, time() + 5)]),
            // What a hub that honours Idempotency-Key answers a repeat: the first publish's id.
            FakeHub::json(200, ['id' => '1800000000000-3', 'replayed' => true]),
        ]);
        $this->assertSame('1800000000000-3', $publisher->publish('create', self::BOOKING));
        $this->assertCount(1, $this->sleeps);
        $this->assertContains($this->sleeps[0], [4.0, 5.0]);
    }

    public function testAProxys502WithoutRetryAfterIsRetriedAfterAShortBackoff(): void
    {
        $publisher = $this->publisher([
            ['status' => 502, 'headers' => ['Content-Type' => 'text/html'], 'body' => '<h1>502 Bad Gateway</h1>'],
            FakeHub::json(200, ['id' => '1800000000000-2']),
        ]);
        $this->assertSame('1800000000000-2', $publisher->publish('create', self::BOOKING));
        $this->assertCount(1, $this->sleeps);
        $this->assertGreaterThan(0, $this->sleeps[0]);
        $this->assertLessThanOrEqual(0.25, $this->sleeps[0]);
        $this->assertCount(2, $this->hub?->requests() ?? []);
    }

    public function testRetriesOf503AreBoundedAndTheLastRetryAfterIsReported(): void
    {
        $publisher = $this->publisher([FakeHub::json(503, ['error' => 'broker_unavailable', 'message' => 'retry later'], ['Retry-After' => '1'])], attempts: 3);
        $error = $this->unavailable(fn () => $publisher->publish('create', self::BOOKING));
        $this->assertSame([1, true, [1.0, 1.0], 3], [$error->retryAfter, $error->maybePublished, $this->sleeps, count($this->hub?->requests() ?? [])]);
        $this->assertStringContainsString('503 broker_unavailable after 3 attempt(s), retry after 1 s', $error->getMessage());
    }

    public function testA503IsNotRetriedWithoutAKeyNorWhenItsRetryAfterIsTooLong(): void
    {
        $answers = [FakeHub::json(503, ['error' => 'shutting_down', 'message' => 'The hub is shutting down; retry shortly.'], ['Retry-After' => '120'])];
        $withoutKeys = $this->publisher($answers, generateIdempotencyKeys: false);
        $error = $this->unavailable(fn () => $withoutKeys->publish('create', self::BOOKING));
        $this->assertSame([120, false, []], [$error->retryAfter, $error->maybePublished, $this->sleeps]);
        $this->assertArrayNotHasKey('idempotency-key', $this->hub?->requests()[0]['headers'] ?? []);
        // With a key, but the hub asks for longer than maxRetryWait (10 s): reported at once, not waited for.
        $error = $this->unavailable(fn () => $withoutKeys->publish('create', self::BOOKING, null, null, 'key-1'));
        $this->assertSame([120, []], [$error->retryAfter, $this->sleeps]);
        $this->assertCount(2, $this->hub?->requests() ?? []);
    }

    public function testEveryRefusalCarriesTheHubsReasonAndIsNotRetried(): void
    {
        $cases = [
            'an invalid event' => [FakeHub::json(400, ['error' => 'invalid_event', 'code' => 'invalid_field', 'field' => 'data.note', 'message' => 'data.note is too long']), [400, 'invalid_event', 'invalid_field', 'data.note']],
            'an expired token' => [FakeHub::json(401, ['error' => 'token_expired', 'message' => 'The token has expired.'], ['WWW-Authenticate' => 'Bearer error="invalid_token"']), [401, 'token_expired', null, null]],
            'a reused key' => [FakeHub::json(422, ['error' => 'idempotency_key_reused', 'message' => 'another body was published with this key']), [422, 'idempotency_key_reused', null, null]],
            'a proxy page' => [['status' => 404, 'headers' => ['Content-Type' => 'text/html'], 'body' => '<h1>Not Found</h1>'], [404, 'http_404', null, null]],
            'a redirect' => [['status' => 302, 'headers' => ['Location' => '/elsewhere']], [302, 'http_302', null, null]],
        ];
        foreach ($cases as $label => [$answer, $expected]) {
            $publisher = $this->publisher([$answer]);
            try {
                $publisher->publish('create', self::BOOKING);
                $this->fail("$label: no exception");
            } catch (PublishRefusedException $error) {
                $this->assertSame($expected, [$error->status, $error->reason, $error->errorCode, $error->field], "$label: {$error->getMessage()}");
            }
            $this->assertCount(1, $this->hub?->requests() ?? [], "$label was retried");
            $this->assertSame([], $this->sleeps);
            $this->hub?->stop();
        }
    }

    public function testNoAnswerInTimeIsATimeoutRetriedOnlyWithAKey(): void
    {
        $slow = [FakeHub::json(200, ['id' => '1-0'], [], 1.5)];
        $publisher = $this->publisher($slow, attempts: 2, timeout: 0.3, generateIdempotencyKeys: false);
        try {
            $publisher->publish('create', self::BOOKING);
            $this->fail('no timeout');
        } catch (HubTimeoutException $error) {
            $this->assertTrue($error->maybePublished);
        }
        $this->assertSame([], $this->sleeps, 'retried without an idempotency key');
        $this->hub?->stop();

        $publisher = $this->publisher($slow, attempts: 2, timeout: 0.3);
        $this->expectException(HubTimeoutException::class);
        try {
            $publisher->publish('create', self::BOOKING);
        } finally {
            $this->assertCount(1, $this->sleeps, 'not retried with an idempotency key');
        }
    }

    public function testAConnectionClosedWithoutAnAnswerMayHavePublishedAndIsRetriedOnlyWithAKey(): void
    {
        $this->hub = FakeHub::closing(3);
        $publisher = new HttpPublisher($this->hub->url, $this->token(), attempts: 2, generateIdempotencyKeys: false, sleep: $this->recorder());
        $error = $this->unavailable(fn () => $publisher->publish('create', self::BOOKING));
        $this->assertNotInstanceOf(HubTimeoutException::class, $error);
        $this->assertTrue($error->maybePublished);
        $this->assertStringContainsString('the connection closed without an answer', $error->getMessage());
        $this->assertSame([], $this->sleeps);
        $this->unavailable(fn () => $publisher->publish('create', self::BOOKING, null, null, 'key-2'));
        $this->assertCount(1, $this->sleeps);
    }

    public function testAHubThatIsDownIsUnavailableAfterBoundedRetriesAndNothingWasPublished(): void
    {
        $port = FakeHub::freePort();
        $publisher = new HttpPublisher("http://127.0.0.1:$port", $this->token(), attempts: 3, sleep: $this->recorder());
        $error = $this->unavailable(fn () => $publisher->publish('create', self::BOOKING));
        $this->assertFalse($error->maybePublished);
        $this->assertNull($error->retryAfter);
        $this->assertStringContainsString('Connection refused', $error->getMessage());
        $this->assertCount(2, $this->sleeps);
        foreach ($this->sleeps as $wait) {
            $this->assertGreaterThan(0, $wait);
            $this->assertLessThanOrEqual(HttpPublisher::DEFAULT_MAX_RETRY_WAIT, $wait);
        }
    }

    public function testA200WithoutAnEventIdIsNotTakenForAPublish(): void
    {
        $publisher = $this->publisher([['status' => 200, 'headers' => ['Content-Type' => 'text/html'], 'body' => '<html>welcome</html>']]);
        $error = $this->unavailable(fn () => $publisher->publish('create', self::BOOKING));
        $this->assertTrue($error->maybePublished);
        $this->assertStringContainsString("is it the hub's URL with its prefix?", $error->getMessage());
    }

    /**
     * @param list<array<string, mixed>> $answers
     */
    private function publisher(array $answers, string $path = '', int $attempts = 3, float $timeout = 5.0, bool $generateIdempotencyKeys = true): HttpPublisher
    {
        $this->hub = new FakeHub($answers);
        $this->sleeps = [];
        return new HttpPublisher($this->hub->url . $path, $this->token(), $timeout, $attempts, generateIdempotencyKeys: $generateIdempotencyKeys, sleep: $this->recorder());
    }

    /** @return \Closure(): string */
    private function token(): \Closure
    {
        $tokens = PublisherToken::hs256(self::SECRET);
        return fn (): string => $tokens->mint(ttl: 60);
    }

    /** @return \Closure(float): void */
    private function recorder(): \Closure
    {
        return function (float $seconds): void {
            $this->sleeps[] = $seconds;
        };
    }

    private function unavailable(\Closure $publish): HubUnavailableException
    {
        try {
            $publish();
        } catch (HubUnavailableException $error) {
            return $error;
        }
        $this->fail('no HubUnavailableException');
    }

    /** @return array<string, mixed> the claims of `Bearer <jwt>` */
    private function claims(string $authorization): array
    {
        $this->assertMatchesRegularExpression('/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/', $authorization);
        $payload = explode('.', substr($authorization, 7))[1];
        return json_decode((string) base64_decode(strtr($payload, '-_', '+/')), true);
    }
}
