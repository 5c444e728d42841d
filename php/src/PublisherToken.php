<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;

/**
 * Mints publisher tokens for {@see HttpPublisher}: JWTs that may `POST /publish` to a hub (never open a
 * stream), with `"publish": true`, `sub`, `jti`, `iat`, `exp`, optionally `workpoints` (the token may
 * publish only events whose workpoints, old and new, are all listed), and `iss` / `aud` when the hub
 * checks them. Viewer tokens can never publish.
 *
 * ```php
 * $tokens = RealtimeBookings\PublisherToken::hs256(getenv('REALTIME_BOOKINGS_PUBLISHER_SECRET'));
 * $jwt = $tokens->mint(workpoints: [1, 2], ttl: 300);
 * ```
 *
 * Sign with the hub's `--publisher-secret` when it has one; otherwise with its viewer key (the same
 * factories as {@see ViewerToken}: HS256 with its secret, RS256 or EdDSA with the private key of its
 * `--public-key`). The same tokens come from `realtime-bookings token --publisher [--workpoints 1,2]`.
 */
final class PublisherToken
{
    /** The longest lifetime accepted, in seconds (a year, as the CLI's `--ttl`). */
    public const MAX_TTL = 31_536_000;

    /** @param \Closure(): int $clock */
    private function __construct(
        private readonly ViewerToken $signer,
        private readonly ?string $issuer,
        private readonly string|array|null $audience,
        private readonly \Closure $clock,
    ) {
    }

    /**
     * HS256 with the hub's `--publisher-secret` (or its viewer secret when it has none).
     *
     * @param string                   $secret   at least 32 bytes
     * @param string|null              $issuer   the `iss` claim (the hub's `--issuer`)
     * @param string|list<string>|null $audience the `aud` claim (the hub's `--audience`)
     * @param (\Closure(): int)|null   $clock    the current Unix time, for tests
     * @throws ConfigurationException for a short secret
     */
    public static function hs256(string $secret, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        return new self(ViewerToken::hs256($secret), $issuer, $audience, $clock ?? time(...));
    }

    /**
     * RS256 with the RSA private key whose public key the hub holds (`--public-key`).
     *
     * @param string|list<string>|null $audience
     * @throws ConfigurationException without the openssl extension, or for an unusable key
     */
    public static function rs256(\OpenSSLAsymmetricKey|string $privateKey, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        return new self(ViewerToken::rs256($privateKey), $issuer, $audience, $clock ?? time(...));
    }

    /**
     * EdDSA (Ed25519) with the secret key whose public key the hub holds (`--public-key`).
     *
     * @param string|list<string>|null $audience
     * @throws ConfigurationException without the sodium extension, or for a key of another length
     */
    public static function eddsa(string $secretKey, ?string $issuer = null, string|array|null $audience = null, ?\Closure $clock = null): self
    {
        return new self(ViewerToken::eddsa($secretKey), $issuer, $audience, $clock ?? time(...));
    }

    /**
     * Mints a publisher token.
     *
     * @param list<int|string>|null $workpoints limit the token to these workpoints (null: every workpoint)
     * @param string                $subject    who publishes (`sub`, for the hub's logs): 1-256 characters
     * @param int                   $ttl        lifetime in seconds (1 to a year); short is better when PHP mints per request
     * @throws ConfigurationException for an empty workpoint list, an invalid workpoint id, a bad subject or ttl
     */
    public function mint(?array $workpoints = null, string $subject = 'publisher', int $ttl = 3600): string
    {
        if ($subject === '' || JsonLimits::utf16Length($subject) > ViewerToken::MAX_SUBJECT_LENGTH) {
            throw new ConfigurationException('subject (the sub claim) must be 1-' . ViewerToken::MAX_SUBJECT_LENGTH . ' characters');
        }
        if ($ttl < 1 || $ttl > self::MAX_TTL) {
            throw new ConfigurationException('ttl must be between 1 and ' . self::MAX_TTL . " seconds, got $ttl");
        }
        $now = ($this->clock)();
        $claims = ['publish' => true, 'sub' => $subject, 'jti' => bin2hex(random_bytes(16)), 'iat' => $now, 'exp' => $now + $ttl];
        if ($workpoints !== null) {
            $claims['workpoints'] = self::workpoints($workpoints);
        }
        if ($this->issuer !== null) {
            $claims['iss'] = $this->issuer;
        }
        if ($this->audience !== null) {
            $claims['aud'] = $this->audience;
        }
        return $this->signer->sign($claims);
    }

    /**
     * The workpoints as the hub reads them (ids by the protocol's rule; `1` and `"1"` are one workpoint).
     *
     * @param array<array-key, mixed> $workpoints
     * @return list<int|string>
     */
    private static function workpoints(array $workpoints): array
    {
        if ($workpoints === [] || !array_is_list($workpoints)) {
            throw new ConfigurationException('workpoints must be a non-empty list of workpoint ids (null for every workpoint)');
        }
        foreach ($workpoints as $index => $workpoint) {
            [$id, $error] = Ids::canonical($workpoint, "workpoints[$index]");
            if ($id === null) {
                throw new ConfigurationException($error[1] ?? "workpoints[$index] is not a workpoint id");
            }
        }
        return $workpoints;
    }
}
