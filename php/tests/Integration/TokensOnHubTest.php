<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Tests\Support\Environment;
use RealtimeBookings\Tests\Support\Hub;
use RealtimeBookings\Tests\Support\SseStream;
use RealtimeBookings\ViewerToken;

/**
 * Tokens minted by ViewerToken open streams on the real hub (started with --issuer and --audience);
 * tampered, foreign or expired ones are refused with the hub's reason.
 */
final class TokensOnHubTest extends TestCase
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

    public function testAMintedTokenOpensAStreamOfItsViewersScope(): void
    {
        $viewer = ['role' => 'supervisor', 'workpoint_id' => '77'];
        $token = $this->hub->tokens()->mint($viewer, 'user-42', 120);
        [$status, $body] = $this->hub->version($token);
        $this->assertSame([200, ['version' => 0]], [$status, $body]);

        $stream = new SseStream($this->hub->env['hub'], $token);
        $this->assertSame([200, 'text/event-stream'], [$stream->status, explode(';', $stream->headers['content-type'] ?? '')[0]]);
        $stream->waitFor(1, 'ready');
        $stream->close();
    }

    public function testAnEdDsaTokenOpensAStreamOnAHubHoldingOnlyThePublicKey(): void
    {
        $env = $this->hub->env;
        $seed = base64_decode($env['ed25519Seed'], true);
        $this->assertIsString($seed, 'RB_TEST_ED25519_SEED is not base64');
        $tokens = ViewerToken::eddsa($seed, $env['issuer'], $env['audience']);
        $this->assertSame('EdDSA', $tokens->algorithm());
        $stream = new SseStream($env['hub'], $tokens->mint(['role' => 'admin'], 'ed-user', 60));
        $this->assertSame(200, $stream->status, $stream->body);
        $stream->waitFor(1, 'ready');
        $stream->close();
        // Signed with another Ed25519 key: refused.
        $stranger = ViewerToken::eddsa(random_bytes(32), $env['issuer'], $env['audience'])->mint(['role' => 'admin'], 'ed-user', 60);
        $refused = new SseStream($env['hub'], $stranger);
        $this->assertSame([401, 'token_signature'], [$refused->status, json_decode($refused->body, true)['error'] ?? null], $refused->body);
    }

    public function testTamperedForeignAndExpiredTokensAreRefused(): void
    {
        $viewer = ['role' => 'specialist', 'specialist_id' => 3];
        $good = $this->hub->tokens()->mint($viewer, 'user-3', 120);
        [$header, $payload, $signature] = explode('.', $good);
        $claims = json_decode(base64_decode(strtr($payload, '-_', '+/')), true);
        $claims['role'] = 'admin';
        $widened = $header . '.' . rtrim(strtr(base64_encode((string) json_encode($claims)), '+/', '-_'), '=') . '.' . $signature;
        $clock = fn (): int => time() - 3600;
        $env = $this->hub->env;
        $refused = [
            'a payload widened to admin' => [$widened, 'token_signature'],
            'another secret' => [ViewerToken::hs256(str_repeat('x', 40), $env['issuer'], $env['audience'])->mint($viewer, 'user-3'), 'token_signature'],
            'another audience' => [ViewerToken::hs256($env['secret'], $env['issuer'], 'some-other-hub')->mint($viewer, 'user-3'), 'token_claims'],
            'no issuer' => [ViewerToken::hs256($env['secret'], null, $env['audience'])->mint($viewer, 'user-3'), 'token_claims'],
            'expired an hour ago' => [ViewerToken::hs256($env['secret'], $env['issuer'], $env['audience'], $clock)->mint($viewer, 'user-3', 60), 'token_expired'],
        ];
        foreach ($refused as $label => [$token, $reason]) {
            $stream = new SseStream($env['hub'], $token);
            $this->assertSame(401, $stream->status, "$label: {$stream->body}");
            $this->assertSame($reason, json_decode($stream->body, true)['error'] ?? null, "$label: {$stream->body}");
        }
    }
}
