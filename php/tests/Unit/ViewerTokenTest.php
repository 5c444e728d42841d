<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\InvalidViewerException;
use RealtimeBookings\ViewerToken;

final class ViewerTokenTest extends TestCase
{
    private const SECRET = 'unit-test-secret-0123456789-abcdefghijklmnop';

    public function testAnHs256TokenCarriesTheViewerSubJtiIatExpIssAndAud(): void
    {
        $tokens = ViewerToken::hs256(self::SECRET, 'https://app.example', 'push.example', fn () => 1_800_000_000);
        $token = $tokens->mint(['role' => 'specialist', 'specialist_id' => '3', 'workpoint_id' => 9], 42, 900, ['locale' => 'de']);
        [$header, $payload, $signature] = explode('.', $token);
        $this->assertSame(['alg' => 'HS256', 'typ' => 'JWT'], $this->decode($header));
        $claims = $this->decode($payload);
        $this->assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $claims['jti']);
        unset($claims['jti']);
        // The workpoint of a specialist is not a claim: it would never widen what they see anyway.
        $this->assertSame(['role' => 'specialist', 'specialist_id' => '3', 'sub' => '42', 'iat' => 1_800_000_000, 'exp' => 1_800_000_900, 'iss' => 'https://app.example', 'aud' => 'push.example', 'locale' => 'de'], $claims);
        $this->assertSame(rtrim(strtr(base64_encode(hash_hmac('sha256', "$header.$payload", self::SECRET, true)), '+/', '-_'), '='), $signature);
        $this->assertNotSame($token, $tokens->mint(['role' => 'specialist', 'specialist_id' => '3'], 42, 900), 'two tokens share a jti');
    }

    public function testAnEd25519TokenVerifiesWithItsPublicKey(): void
    {
        $pair = sodium_crypto_sign_keypair();
        $token = ViewerToken::eddsa(sodium_crypto_sign_secretkey($pair))->mint(['role' => 'admin'], 'root');
        [$header, $payload, $signature] = explode('.', $token);
        $this->assertSame('EdDSA', $this->decode($header)['alg']);
        $this->assertTrue(sodium_crypto_sign_verify_detached(base64_decode(strtr($signature, '-_', '+/')), "$header.$payload", sodium_crypto_sign_publickey($pair)));
        $this->assertStringStartsWith("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA", ViewerToken::ed25519PublicKeyPem(sodium_crypto_sign_publickey($pair)));
    }

    /** @return array<string, array{0: \Closure(): mixed, 1: class-string}> */
    public static function refused(): array
    {
        $tokens = fn () => ViewerToken::hs256(self::SECRET);
        return [
            'a short secret' => [fn () => ViewerToken::hs256('too short'), ConfigurationException::class],
            'an empty subject' => [fn () => $tokens()->mint(['role' => 'admin'], ''), ConfigurationException::class],
            'a subject of 257 characters' => [fn () => $tokens()->mint(['role' => 'admin'], str_repeat('u', 257)), ConfigurationException::class],
            'a ttl of 0' => [fn () => $tokens()->mint(['role' => 'admin'], 'u', 0), ConfigurationException::class],
            'a ttl of 30 days' => [fn () => $tokens()->mint(['role' => 'admin'], 'u', 30 * 86400), ConfigurationException::class],
            'a claim mint() sets' => [fn () => $tokens()->mint(['role' => 'admin'], 'u', 60, ['exp' => PHP_INT_MAX]), ConfigurationException::class],
            'an unknown role' => [fn () => $tokens()->mint(['role' => 'root'], 'u'), InvalidViewerException::class],
            'a supervisor without a workpoint' => [fn () => $tokens()->mint(['role' => 'supervisor', 'specialist_id' => 1], 'u'), InvalidViewerException::class],
            'a glob in the scope id' => [fn () => $tokens()->mint(['role' => 'specialist', 'specialist_id' => '3*'], 'u'), InvalidViewerException::class],
            'an RSA key of 1024 bits' => [fn () => ViewerToken::rs256(openssl_pkey_new(['private_key_bits' => 1024, 'private_key_type' => OPENSSL_KEYTYPE_RSA])), ConfigurationException::class],
        ];
    }

    /**
     * @dataProvider refused
     * @param \Closure(): mixed $mint
     * @param class-string<\Throwable> $exception
     */
    public function testRefused(\Closure $mint, string $exception): void
    {
        $this->expectException($exception);
        $mint();
    }

    /** @return array<string, mixed> */
    private function decode(string $part): array
    {
        return json_decode(base64_decode(strtr($part, '-_', '+/')), true, 512, JSON_THROW_ON_ERROR);
    }
}
