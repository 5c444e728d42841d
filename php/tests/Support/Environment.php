<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

use PHPUnit\Framework\Assert;
use PHPUnit\Framework\TestCase;

/**
 * What test/php (vitest) started for the integration tests: an owned redis-server and the real hub
 * CLI on it, and a second hub whose Redis is not there. Run outside that harness, the integration
 * tests skip, except in CI where they fail.
 */
final class Environment
{
    /** @return array{redis: string, hub: string, secret: string, issuer: string, audience: string, ed25519Seed: string, hubWithoutRedis: string} */
    public static function require(TestCase $test): array
    {
        $env = [
            'redis' => getenv('RB_TEST_REDIS_URL'),
            'hub' => getenv('RB_TEST_HUB_URL'),
            'secret' => getenv('RB_TEST_SECRET'),
            'issuer' => getenv('RB_TEST_ISSUER'),
            'audience' => getenv('RB_TEST_AUDIENCE'),
            'ed25519Seed' => getenv('RB_TEST_ED25519_SEED'), // base64 of the seed whose public key the hub holds
            'hubWithoutRedis' => getenv('RB_TEST_HUB_WITHOUT_REDIS_URL'), // a hub whose Redis never answers (503s)
        ];
        foreach ($env as $name => $value) {
            if (!is_string($value) || $value === '') {
                $message = "RB_TEST_* is not set ($name): run these through `npx vitest run --project php` (it starts redis-server and the hub)";
                if (getenv('CI') === 'true') {
                    Assert::fail($message);
                }
                $test->markTestSkipped($message);
            }
        }
        /** @var array{redis: string, hub: string, secret: string, issuer: string, audience: string, ed25519Seed: string, hubWithoutRedis: string} $env */
        return $env;
    }
}
