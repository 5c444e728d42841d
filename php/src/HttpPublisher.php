<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\HubTimeoutException;
use RealtimeBookings\Exception\HubUnavailableException;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Exception\PublishRefusedException;
use RealtimeBookings\Http\HubAnswer;
use RealtimeBookings\Http\StreamTransport;
use RealtimeBookings\Http\TransportFailure;

/**
 * Publishes booking changes over HTTP: `POST <hub>/publish` with a publisher token, for an app that
 * cannot or should not hold Redis credentials. The same API as the Redis {@see Publisher}
 * ({@see BookingPublisher}), and the same check first: an event the hubs would refuse throws
 * {@see InvalidEventException} and no request is made.
 *
 * ```php
 * $tokens = RealtimeBookings\PublisherToken::hs256(getenv('REALTIME_BOOKINGS_PUBLISHER_SECRET'));
 * $publisher = new RealtimeBookings\HttpPublisher('https://hub.example.com/realtime', fn () => $tokens->mint(ttl: 60));
 * $publisher->publish('create', $booking);
 * ```
 *
 * Every publish carries an `Idempotency-Key`: the one given, else a random one per call, so that this
 * class's own retries never publish twice (on a hub that honours the header). It retries, at most
 * `attempts` times in all: a connection that failed before anything was sent; a 5xx (the hub's 503
 * when Redis is unavailable or it shuts down, a proxy's 502/504), after its `Retry-After` when that is
 * at most `maxRetryWait`; and a request sent without an answer in time. The last two only with an
 * idempotency key (always, unless `generateIdempotencyKeys` is false and none was given).
 */
final class HttpPublisher implements BookingPublisher
{
    public const DEFAULT_TIMEOUT = 5.0;

    public const DEFAULT_ATTEMPTS = 3;

    public const DEFAULT_MAX_RETRY_WAIT = 10.0;

    /** What an `Idempotency-Key` may hold: printable ASCII, no space (it travels as a header). */
    public const IDEMPOTENCY_KEY_PATTERN = '/^[\x21-\x7E]{1,255}$/D';

    /** The shape of a history id in the hub's answer. */
    private const ID_PATTERN = '/^\d{1,15}-\d{1,15}$/D';

    /** A JWT's characters (base64url and dots): nothing that could end a header line. */
    private const TOKEN_PATTERN = '/^[A-Za-z0-9._~+\/=-]{1,8192}$/D';

    private readonly string $url;

    private readonly StreamTransport $transport;

    /** @var \Closure(): string */
    private readonly \Closure $token;

    /** @var \Closure(float): void */
    private readonly \Closure $sleep;

    /**
     * @param string                   $hubUrl                  the hub's base URL with its prefix (`https://hub.example.com/realtime`);
     *                                                          publishes go to `<hubUrl>/publish`
     * @param string|(\Closure(): string) $token                a publisher token, or a function minting one per request
     *                                                          (`fn () => $tokens->mint(ttl: 60)`, see {@see PublisherToken})
     * @param float                    $timeout                 seconds for the connect and for each read of the answer
     * @param int                      $attempts                requests per publish at most, first included (1: never retry)
     * @param float                    $maxRetryWait            the longest wait between attempts; a longer `Retry-After`
     *                                                          is not waited for: the exception carries it
     * @param bool                     $generateIdempotencyKeys give each publish without a key a random one
     * @param array<string, mixed>     $ssl                     stream context `ssl` options, e.g. `['cafile' => '/etc/ssl/private-ca.pem']`
     * @param (\Closure(float): void)|null $sleep               how to wait between attempts (tests record it)
     * @throws ConfigurationException for a URL that is not http(s) with a host, a token that is not a JWT,
     *                                bounds out of range, or `allow_url_fopen` off
     */
    public function __construct(
        string $hubUrl,
        string|\Closure $token,
        float $timeout = self::DEFAULT_TIMEOUT,
        private readonly int $attempts = self::DEFAULT_ATTEMPTS,
        private readonly float $maxRetryWait = self::DEFAULT_MAX_RETRY_WAIT,
        private readonly bool $generateIdempotencyKeys = true,
        array $ssl = [],
        ?\Closure $sleep = null,
    ) {
        $this->url = self::publishUrl($hubUrl);
        if (is_string($token)) {
            self::checkToken($token);
            $this->token = static fn (): string => $token;
        } else {
            $this->token = $token;
        }
        if (!($timeout > 0 && $timeout <= 600)) {
            throw new ConfigurationException("timeout must be more than 0 and at most 600 seconds, got $timeout");
        }
        if ($attempts < 1 || $attempts > 10) {
            throw new ConfigurationException("attempts must be between 1 and 10, got $attempts");
        }
        if (!($maxRetryWait >= 0 && $maxRetryWait <= 600)) {
            throw new ConfigurationException("maxRetryWait must be between 0 and 600 seconds, got $maxRetryWait");
        }
        $this->transport = new StreamTransport($timeout, $ssl);
        $this->sleep = $sleep ?? static function (float $seconds): void {
            usleep((int) round($seconds * 1e6));
        };
    }

    /**
     * {@inheritDoc}
     *
     * @throws InvalidEventException when hubs would refuse the event, or for a malformed idempotency key; nothing was sent
     * @throws PublishRefusedException when the hub refused it (credentials, scope, …); nothing was published
     * @throws HubUnavailableException when the hub could not be reached or answered 5xx on every attempt
     * @throws HubTimeoutException when no answer came in time on every attempt (it may have been published)
     */
    public function publish(string $type, array $booking, ?array $previous = null, ?string $origin = null, ?string $idempotencyKey = null): string
    {
        return $this->publishValidated(EventValidator::validate($type, $booking, $previous, $origin), $idempotencyKey);
    }

    /**
     * {@inheritDoc}
     *
     * @throws InvalidEventException for a malformed idempotency key; nothing was sent
     * @throws PublishRefusedException when the hub refused it; nothing was published
     * @throws HubUnavailableException when the hub could not be reached or answered 5xx on every attempt
     * @throws HubTimeoutException when no answer came in time on every attempt (it may have been published)
     */
    public function publishValidated(ValidatedEvent $event, ?string $idempotencyKey = null): string
    {
        if ($idempotencyKey !== null && preg_match(self::IDEMPOTENCY_KEY_PATTERN, $idempotencyKey) !== 1) {
            throw new InvalidEventException('invalid_field', 'an idempotency key is 1-255 printable ASCII characters without spaces', 'idempotencyKey');
        }
        $idempotencyKey ??= $this->generateIdempotencyKeys ? bin2hex(random_bytes(16)) : null;
        for ($attempt = 1; ; $attempt++) {
            $last = $attempt >= $this->attempts;
            try {
                $answer = $this->transport->post($this->url, $this->headers($idempotencyKey), $event->json);
            } catch (TransportFailure $failure) {
                // Nothing sent: always safe to try again. Sent: only a key makes it safe.
                if ($last || ($failure->sent && $idempotencyKey === null)) {
                    throw $failure->timedOut
                        ? new HubTimeoutException("{$this->url}: {$failure->getMessage()}", $failure)
                        : new HubUnavailableException("{$this->url}: {$failure->getMessage()}", null, $failure->sent, $failure);
                }
                ($this->sleep)(self::backoff($attempt, $this->maxRetryWait));
                continue;
            }
            if ($answer->status >= 500) {
                // The hub's 503 (Redis unavailable, shutting down), or a proxy's 502/504 during a deploy.
                $retryAfter = $answer->retryAfter(time());
                $wait = $retryAfter === null ? self::backoff($attempt, $this->maxRetryWait) : (float) $retryAfter;
                if ($last || $idempotencyKey === null || $wait > $this->maxRetryWait) {
                    throw self::unavailable($answer, $retryAfter, $attempt);
                }
                ($this->sleep)($wait);
                continue;
            }
            return $this->idOf($answer);
        }
    }

    /** @return array<string, string> */
    private function headers(?string $idempotencyKey): array
    {
        $token = ($this->token)();
        if (!is_string($token)) {
            throw new ConfigurationException('the token function must return the publisher token as a string, got ' . get_debug_type($token));
        }
        self::checkToken($token);
        $headers = [
            'Authorization' => "Bearer $token",
            'Content-Type' => 'application/json',
            'Accept' => 'application/json',
            'User-Agent' => 'realtime-bookings-php',
        ];
        if ($idempotencyKey !== null) {
            $headers['Idempotency-Key'] = $idempotencyKey;
        }
        return $headers;
    }

    /** The history id of a 200, or the refusal of anything else. */
    private function idOf(HubAnswer $answer): string
    {
        $body = $answer->json();
        $id = $body['id'] ?? null;
        if ($answer->status === 200 && is_string($id) && preg_match(self::ID_PATTERN, $id) === 1) {
            return $id;
        }
        if ($answer->status === 200) {
            // Not the hub's answer (a proxy's page?): it may have been published, it may not.
            throw new HubUnavailableException("{$this->url} answered 200 without an event id: is it the hub's URL with its prefix?", null, true);
        }
        $reason = is_string($body['error'] ?? null) ? $body['error'] : "http_{$answer->status}";
        $message = is_string($body['message'] ?? null) ? $body['message'] : trim(substr($answer->body, 0, 200));
        $errorCode = is_string($body['code'] ?? null) ? $body['code'] : null;
        $field = is_string($body['field'] ?? null) ? $body['field'] : null;
        throw new PublishRefusedException($answer->status, $reason, $message === '' ? "{$this->url} answered {$answer->status}" : $message, $errorCode, $field);
    }

    private static function unavailable(HubAnswer $answer, ?int $retryAfter, int $attempts): HubUnavailableException
    {
        $body = $answer->json();
        $reason = is_string($body['error'] ?? null) ? $body['error'] : "http_{$answer->status}";
        $after = $retryAfter === null ? '' : ", retry after $retryAfter s";
        // broker_unavailable: the script may have run before Redis timed out; shutting_down: nothing ran.
        return new HubUnavailableException("{$answer->status} $reason after $attempts attempt(s)$after", $retryAfter, $reason !== 'shutting_down');
    }

    /** The wait before attempt `attempt + 1` after a connection failure: 0.25 s doubling, half jittered, capped. */
    private static function backoff(int $attempt, float $cap): float
    {
        $base = min($cap, 0.25 * 2 ** ($attempt - 1));
        return $base / 2 + $base / 2 * (random_int(0, 1000) / 1000);
    }

    private static function publishUrl(string $hubUrl): string
    {
        $parts = parse_url($hubUrl);
        $scheme = strtolower((string) ($parts['scheme'] ?? ''));
        if ($parts === false || !in_array($scheme, ['http', 'https'], true) || ($parts['host'] ?? '') === '' || isset($parts['query']) || isset($parts['fragment']) || isset($parts['user'])
            || preg_match('/[\x00-\x20\x7F]/', $hubUrl) === 1) {
            throw new ConfigurationException("hubUrl must be the hub's http(s) base URL with its prefix and nothing after it (https://hub.example.com/realtime), got " . json_encode($hubUrl, JSON_UNESCAPED_SLASHES));
        }
        return rtrim($hubUrl, '/') . '/publish';
    }

    private static function checkToken(string $token): void
    {
        if (preg_match(self::TOKEN_PATTERN, $token) !== 1 || substr_count($token, '.') !== 2) {
            throw new ConfigurationException('the publisher token must be a JWT (three base64url parts): mint one with PublisherToken or `realtime-bookings token --publisher`');
        }
    }
}
