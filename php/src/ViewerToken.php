<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\InvalidViewerException;

/**
 * Mints the viewer token a browser hands to the hub: a JWT with the viewer's `role` and scope id, and
 * always `sub` (the signed-in user: the hub counts its connection caps by it), `jti`, `iat` and `exp`,
 * plus `iss` and `aud` when configured (start the hub with the same `--issuer` / `--audience`).
 *
 * ```php
 * $tokens = RealtimeBookings\ViewerToken::hs256(getenv('REALTIME_BOOKINGS_SECRET'));
 * $jwt = $tokens->mint(['role' => 'specialist', 'specialist_id' => 3], subject: (string) $userId, ttl: 900);
 * ```
 *
 * HS256 needs only PHP; RS256 needs the openssl extension and EdDSA (Ed25519) the sodium extension.
 * The hub verifies with the same secret, or with the public key (`--public-key`).
 */
final class ViewerToken
{
    /** The hub refuses HS256 secrets shorter than this (its MIN_SECRET_BYTES). */
    public const MIN_SECRET_BYTES = 32;

    /** The longest lifetime accepted, in seconds: viewer tokens are meant to be short-lived and renewed. */
    public const MAX_TTL = 604800;

    /** The longest `sub` the hub accepts. */
    public const MAX_SUBJECT_LENGTH = 256;

    private const RESERVED = ['role', 'specialist_id', 'workpoint_id', 'sub', 'jti', 'iat', 'exp', 'iss', 'aud'];

    /**
     * @param \Closure(string): string $sign  signs the JWS signing input, returns raw signature bytes
     * @param \Closure(): int          $clock the current Unix time
     * @param string|list<string>|null $audience
     */
    private function __construct(
        private readonly string $algorithm,
        private readonly \Closure $sign,
        private readonly ?string $issuer,
        private readonly string|array|null $audience,
        private readonly \Closure $clock,
    ) {
    }

    /**
     * HS256 with the hub's shared secret (`REALTIME_BOOKINGS_SECRET`, `--secret`).
     *
     * @param string                   $secret   at least 32 bytes
     * @param string|null              $issuer   the `iss` claim (the hub's `--issuer`)
     * @param string|list<string>|null $audience the `aud` claim (the hub's `--audience`)
     * @param (\Closure(): int)|null   $clock    the current Unix time, for tests
     * @throws ConfigurationException for a short secret
     */
    public static function hs256(string $secret, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        if (strlen($secret) < self::MIN_SECRET_BYTES) {
            throw new ConfigurationException('the HS256 secret must be at least ' . self::MIN_SECRET_BYTES . ' bytes (the hub refuses shorter ones): openssl rand -base64 48');
        }
        return new self('HS256', fn (string $input): string => hash_hmac('sha256', $input, $secret, true), $issuer, $audience, $clock ?? time(...));
    }

    /**
     * RS256 with an RSA private key; the hub verifies with the public key (`--public-key`).
     *
     * @param \OpenSSLAsymmetricKey|string $privateKey the key, or its PEM
     * @param string|list<string>|null     $audience
     * @throws ConfigurationException without the openssl extension, or for a key that is not RSA of 2048+ bits
     */
    public static function rs256(\OpenSSLAsymmetricKey|string $privateKey, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        if (!extension_loaded('openssl')) {
            throw new ConfigurationException('RS256 needs the openssl extension; use hs256() without it');
        }
        $key = is_string($privateKey) ? openssl_pkey_get_private($privateKey) : $privateKey;
        $details = $key === false ? false : openssl_pkey_get_details($key);
        if ($key === false || $details === false || $details['type'] !== OPENSSL_KEYTYPE_RSA || $details['bits'] < 2048) {
            throw new ConfigurationException('RS256 needs an RSA private key of at least 2048 bits (PEM)');
        }
        $sign = function (string $input) use ($key): string {
            if (!openssl_sign($input, $signature, $key, OPENSSL_ALGO_SHA256)) {
                throw new \RuntimeException('realtime-bookings: openssl_sign failed: ' . openssl_error_string());
            }
            return $signature;
        };
        return new self('RS256', $sign, $issuer, $audience, $clock ?? time(...));
    }

    /**
     * EdDSA (Ed25519) with a sodium secret key; the hub verifies with the public key as a PEM
     * ({@see self::ed25519PublicKeyPem()}).
     *
     * @param string                   $secretKey a 64-byte `sodium_crypto_sign_secretkey()` or a 32-byte seed
     * @param string|list<string>|null $audience
     * @throws ConfigurationException without the sodium extension, or for a key of another length
     */
    public static function eddsa(string $secretKey, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        if (!extension_loaded('sodium')) {
            throw new ConfigurationException('EdDSA needs the sodium extension; use hs256() without it');
        }
        if (strlen($secretKey) === SODIUM_CRYPTO_SIGN_SEEDBYTES) {
            $secretKey = sodium_crypto_sign_secretkey(sodium_crypto_sign_seed_keypair($secretKey));
        }
        if (strlen($secretKey) !== SODIUM_CRYPTO_SIGN_SECRETKEYBYTES) {
            throw new ConfigurationException('EdDSA needs a 64-byte Ed25519 secret key or a 32-byte seed');
        }
        return new self('EdDSA', fn (string $input): string => sodium_crypto_sign_detached($input, $secretKey), $issuer, $audience, $clock ?? time(...));
    }

    /** The PEM (SubjectPublicKeyInfo) of a 32-byte Ed25519 public key, for the hub's `--public-key`. */
    public static function ed25519PublicKeyPem(string $publicKey): string
    {
        if (strlen($publicKey) !== 32) {
            throw new ConfigurationException('an Ed25519 public key is 32 bytes');
        }
        $der = hex2bin('302a300506032b6570032100') . $publicKey;
        return "-----BEGIN PUBLIC KEY-----\n" . chunk_split(base64_encode($der), 64, "\n") . "-----END PUBLIC KEY-----\n";
    }

    /** The JWS algorithm of the tokens minted: HS256, RS256 or EdDSA. */
    public function algorithm(): string
    {
        return $this->algorithm;
    }

    /**
     * Mints a token for a signed-in user.
     *
     * @param array<string, mixed> $viewer  `['role' => 'admin']`, `['role' => 'supervisor', 'workpoint_id' => 1]`
     *                                      or `['role' => 'specialist', 'specialist_id' => 3]`
     * @param string|int           $subject the user's id (`sub`): 1-256 characters
     * @param int                  $ttl     lifetime in seconds (1 to 7 days); keep it short, the page renews it
     * @param array<string, mixed> $claims  further claims of your own (not the ones this class sets)
     * @throws InvalidViewerException for a viewer the hub would refuse
     * @throws ConfigurationException for an empty or long subject, a ttl out of range, or a reserved claim
     */
    public function mint(array $viewer, string|int $subject, int $ttl = 900, array $claims = []): string
    {
        $subject = (string) $subject;
        if ($subject === '' || JsonLimits::utf16Length($subject) > self::MAX_SUBJECT_LENGTH) {
            throw new ConfigurationException('subject (the sub claim) must be 1-' . self::MAX_SUBJECT_LENGTH . ' characters: the signed-in user\'s id');
        }
        if ($ttl < 1 || $ttl > self::MAX_TTL) {
            throw new ConfigurationException("ttl must be between 1 and " . self::MAX_TTL . " seconds, got $ttl");
        }
        $reserved = array_intersect(array_keys($claims), self::RESERVED);
        if ($reserved !== []) {
            throw new ConfigurationException('claims may not set ' . implode(', ', $reserved) . ': mint() sets them');
        }
        $now = ($this->clock)();
        $payload = Viewer::claimsOf($viewer) + ['sub' => $subject, 'jti' => bin2hex(random_bytes(16)), 'iat' => $now, 'exp' => $now + $ttl];
        if ($this->issuer !== null) {
            $payload['iss'] = $this->issuer;
        }
        if ($this->audience !== null) {
            $payload['aud'] = $this->audience;
        }
        return $this->sign($payload + $claims);
    }

    /**
     * Signs arbitrary claims as a compact JWS with this signer's algorithm. Prefer {@see mint()}: this
     * adds nothing and checks nothing (tests use it to mint what the hub must refuse).
     *
     * @param array<string, mixed> $claims
     */
    public function sign(array $claims): string
    {
        $header = self::base64url(json_encode(['alg' => $this->algorithm, 'typ' => 'JWT'], JSON_THROW_ON_ERROR));
        $body = self::base64url(json_encode($claims, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR));
        return "$header.$body." . self::base64url(($this->sign)("$header.$body"));
    }

    private static function base64url(string $bytes): string
    {
        return rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    }
}
