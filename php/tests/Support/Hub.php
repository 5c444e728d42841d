<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

use RealtimeBookings\ViewerToken;

/** The hub the harness started: tokens it accepts, its /version, and streams of viewers. */
final class Hub
{
    /** @var list<SseStream> */
    private array $streams = [];

    /** @param array{redis: string, hub: string, secret: string, issuer: string, audience: string, ed25519Seed: string, hubWithoutRedis: string} $env */
    public function __construct(public readonly array $env)
    {
    }

    /** The signer the hub trusts: its secret, issuer and audience. */
    public function tokens(): ViewerToken
    {
        return ViewerToken::hs256($this->env['secret'], $this->env['issuer'], $this->env['audience']);
    }

    /**
     * A token of its own user (`sub`), so the hub's per-user stream cap never counts one test's
     * closing streams against the next.
     *
     * @param array<string, mixed> $viewer
     */
    public function token(array $viewer, ?string $subject = null): string
    {
        return $this->tokens()->mint($viewer, $subject ?? 'php-tests-' . bin2hex(random_bytes(6)), 300);
    }

    /**
     * A viewer's live stream: open, and past its `ready` event (subscribed, replay done).
     *
     * @param array<string, mixed> $viewer
     */
    public function stream(array $viewer): SseStream
    {
        $stream = new SseStream($this->env['hub'], $this->token($viewer));
        if ($stream->status !== 200) {
            throw new \RuntimeException("the hub answered {$stream->status}: {$stream->body}");
        }
        $stream->waitFor(1, 'ready');
        $this->streams[] = $stream;
        return $stream;
    }

    /**
     * GET /version with a token.
     *
     * @return array{0: int, 1: mixed} the status and the decoded JSON body
     */
    public function version(string $token): array
    {
        return $this->get('/version', $token);
    }

    /** @return array{0: int, 1: mixed} */
    public function get(string $path, string $token): array
    {
        $context = stream_context_create(['http' => ['header' => "Authorization: Bearer $token\r\n", 'ignore_errors' => true, 'timeout' => 5]]);
        $body = file_get_contents($this->env['hub'] . $path, false, $context);
        $status = (int) (explode(' ', $http_response_header[0] ?? '')[1] ?? 0);
        return [$status, json_decode((string) $body, true)];
    }

    public function closeStreams(): void
    {
        foreach ($this->streams as $stream) {
            $stream->close();
        }
        $this->streams = [];
    }
}
