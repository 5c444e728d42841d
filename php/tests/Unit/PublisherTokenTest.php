<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\HttpPublisher;
use RealtimeBookings\PublisherToken;

final class PublisherTokenTest extends TestCase
{
    private const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnop';

    public function testAPublisherTokenCarriesPublishWorkpointsSubJtiIatExpIssAndAud(): void
    {
        $tokens = PublisherToken::hs256(self::SECRET, 'https://app.example', 'push.example', fn () => 1_800_000_000);
        $token = $tokens->mint([1, '2', 'wp-3'], 'billing', 300);
        [$header, $payload, $signature] = explode('.', $token);
        $this->assertSame(['alg' => 'HS256', 'typ' => 'JWT'], $this->decode($header));
        $claims = $this->decode($payload);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $claims['jti']);
        unset($claims['jti']);
        $this->assertSame(['publish' => true, 'sub' => 'billing', 'iat' => 1_800_000_000, 'exp' => 1_800_000_300, 'workpoints' => [1, '2', 'wp-3'], 'iss' => 'https://app.example', 'aud' => 'push.example'], $claims);
        $this->assertSame(rtrim(strtr(base64_encode(hash_hmac('sha256', "$header.$payload", self::SECRET, true)), '+/', '-_'), '='), $signature);
        // Without workpoints the token may publish for every workpoint: no claim at all.
        $this->assertSame(['publish' => true, 'sub' => 'publisher'], array_intersect_key($this->decode(explode('.', PublisherToken::hs256(self::SECRET)->mint())[1]), ['publish' => 0, 'sub' => 0, 'workpoints' => 0]));
    }

    public function testAnEd25519PublisherTokenVerifiesWithItsPublicKey(): void
    {
        $pair = sodium_crypto_sign_keypair();
        [$header, $payload, $signature] = explode('.', PublisherToken::eddsa(sodium_crypto_sign_secretkey($pair))->mint());
        $this->assertSame('EdDSA', $this->decode($header)['alg']);
        $this->assertTrue(sodium_crypto_sign_verify_detached(base64_decode(strtr($signature, '-_', '+/')), "$header.$payload", sodium_crypto_sign_publickey($pair)));
    }

    /** @return array<string, array{0: \Closure(): mixed}> */
    public static function refused(): array
    {
        $tokens = fn () => PublisherToken::hs256(self::SECRET);
        $url = 'http://127.0.0.1:9';
        return [
            'a short secret' => [fn () => PublisherToken::hs256('short')],
            'no workpoints' => [fn () => $tokens()->mint([])],
            'a workpoint with a colon' => [fn () => $tokens()->mint(['1:2'])],
            'a negative workpoint' => [fn () => $tokens()->mint([-1])],
            'workpoints keyed by name' => [fn () => $tokens()->mint(['a' => 1])],
            'an empty subject' => [fn () => $tokens()->mint(null, '')],
            'a ttl of 0' => [fn () => $tokens()->mint(null, 'app', 0)],
            'a ttl over a year' => [fn () => $tokens()->mint(null, 'app', PublisherToken::MAX_TTL + 1)],
            'a URL with a query' => [fn () => new HttpPublisher("$url/rt?x=1", $tokens()->mint())],
            'a URL that is not http' => [fn () => new HttpPublisher('redis://127.0.0.1:6379', $tokens()->mint())],
            'a URL with a newline' => [fn () => new HttpPublisher("$url/rt\r\nX: 1", $tokens()->mint())],
            'a token that is not a JWT' => [fn () => new HttpPublisher($url, 'the-secret-itself')],
            'a token with a newline' => [fn () => new HttpPublisher($url, "a.b.c\r\nX-Evil: 1")],
            'no attempts' => [fn () => new HttpPublisher($url, $tokens()->mint(), attempts: 0)],
            'a timeout of 0' => [fn () => new HttpPublisher($url, $tokens()->mint(), 0.0)],
        ];
    }

    /** @dataProvider refused */
    public function testBadArgumentsAreRefusedAtOnce(\Closure $call): void
    {
        $this->expectException(ConfigurationException::class);
        $call();
    }

    /** @return array<string, mixed> */
    private function decode(string $part): array
    {
        return json_decode((string) base64_decode(strtr($part, '-_', '+/')), true, 512, JSON_THROW_ON_ERROR);
    }
}
