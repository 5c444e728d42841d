<?php

declare(strict_types=1);

namespace RealtimeBookings\Http;

/**
 * One HTTP answer of the hub: status, headers (names lower-cased) and body.
 *
 * @internal
 */
final class HubAnswer
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }

    /**
     * The `Retry-After` in whole seconds (delay-seconds or an HTTP date, RFC 9110 §10.2.3), or null
     * when absent or unreadable.
     */
    public function retryAfter(int $now): ?int
    {
        $value = trim($this->headers['retry-after'] ?? '');
        if (preg_match('/^\d{1,9}$/D', $value) === 1) {
            return (int) $value;
        }
        $date = $value === '' ? false : \DateTimeImmutable::createFromFormat(DATE_RFC7231, $value);
        return $date === false ? null : max(0, $date->getTimestamp() - $now);
    }

    /**
     * The decoded JSON body, or an empty array when it is not a JSON object.
     *
     * @return array<string, mixed>
     */
    public function json(): array
    {
        $decoded = json_decode($this->body, true);
        return is_array($decoded) && !array_is_list($decoded) ? $decoded : [];
    }
}
