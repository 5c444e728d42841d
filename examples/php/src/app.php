<?php
/**
 * The demo app around the realtime-bookings Composer package: configuration from the environment,
 * the Redis connection, demo users, who may see and book what, and a tiny booking store (a Redis
 * hash, standing in for the app's database).
 */

declare(strict_types=1);

if (!is_file(dirname(__DIR__) . '/vendor/autoload.php')) {
    http_response_code(500);
    header('Content-Type: text/plain; charset=utf-8');
    exit("Run `composer install` in examples/php first (it installs realtime-bookings/realtime-bookings from ../../php).\n");
}
require_once dirname(__DIR__) . '/vendor/autoload.php';

use RealtimeBookings\Publisher;
use RealtimeBookings\RedisKeys;
use RealtimeBookings\Versions;
use RealtimeBookings\ViewerToken;

/** Configuration, from environment variables (what a real app keeps in its config file). */
function config(): array
{
    static $config = null;
    if ($config === null) {
        $secret = getenv('REALTIME_BOOKINGS_SECRET');
        if ($secret === false || strlen($secret) < 32) {
            throw new RuntimeException('Set REALTIME_BOOKINGS_SECRET (at least 32 bytes), the same as the hub\'s.');
        }
        $config = [
            'redis_url' => getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379',
            'secret' => $secret,
            // The hub as the BROWSER reaches it (another origin: the hub allows this page with --cors-origin).
            'hub_url' => rtrim(getenv('REALTIME_BOOKINGS_HUB_URL') ?: 'http://127.0.0.1:8080', '/'),
            'key_prefix' => getenv('REALTIME_BOOKINGS_KEY_PREFIX') ?: 'bookings',
            'token_ttl' => (int) (getenv('REALTIME_BOOKINGS_TOKEN_TTL') ?: 900),
            'client_bundle' => getenv('REALTIME_BOOKINGS_CLIENT_BUNDLE')
                ?: dirname(__DIR__, 3) . '/packages/client/dist/realtime-bookings.global.js',
        ];
    }
    return $config;
}

/** One phpredis connection per request, with the seed's 2 s timeouts. */
function redis(): Redis
{
    static $redis = null;
    if ($redis === null) {
        $url = parse_url(config()['redis_url']);
        if ($url === false || !in_array($url['scheme'] ?? '', ['redis', 'rediss'], true)) {
            throw new RuntimeException('REDIS_URL must look like redis://127.0.0.1:6379');
        }
        $host = (($url['scheme'] === 'rediss') ? 'tls://' : '') . ($url['host'] ?? '127.0.0.1');
        $redis = new Redis();
        $redis->connect($host, (int) ($url['port'] ?? 6379), 2.0);
        $redis->setOption(Redis::OPT_READ_TIMEOUT, 2.0);
        if (isset($url['pass'])) {
            $redis->auth(isset($url['user']) ? [rawurldecode($url['user']), rawurldecode($url['pass'])] : rawurldecode($url['pass']));
        }
        $db = (int) ltrim($url['path'] ?? '', '/');
        if ($db > 0) {
            $redis->select($db);
        }
    }
    return $redis;
}

/** The hub's key names (its --key-prefix). */
function keys(): RedisKeys
{
    return new RedisKeys(config()['key_prefix']);
}

function publisher(): Publisher
{
    return new Publisher(redis(), keys());
}

/** The version counters, for the page's initialVersion. */
function versions(): Versions
{
    return new Versions(redis(), keys());
}

/** Mints viewer tokens with the secret the hub verifies with. */
function tokens(): ViewerToken
{
    return ViewerToken::hs256(config()['secret']);
}

/** The demo's users. A real app has its own; the hub only needs role and the scope id. */
const DEMO_USERS = [
    'admin' => ['name' => 'Ada, admin', 'role' => 'admin'],
    'sup-1' => ['name' => 'Sam, supervisor of workpoint 1', 'role' => 'supervisor', 'workpoint_id' => 1],
    'sup-2' => ['name' => 'Sue, supervisor of workpoint 2', 'role' => 'supervisor', 'workpoint_id' => 2],
    'spec-3' => ['name' => 'Sara, specialist 3 (workpoint 1)', 'role' => 'specialist', 'specialist_id' => 3],
    'spec-4' => ['name' => 'Theo, specialist 4 (workpoint 2)', 'role' => 'specialist', 'specialist_id' => 4],
    'spec-5' => ['name' => 'Uma, specialist 5 (workpoint 1)', 'role' => 'specialist', 'specialist_id' => 5],
];

/** Where each specialist works. */
const SPECIALIST_WORKPOINT = [3 => 1, 4 => 2, 5 => 1];

function start_session(): void
{
    session_start(['cookie_httponly' => true, 'cookie_samesite' => 'Lax', 'use_strict_mode' => true]);
    $_SESSION['csrf'] ??= bin2hex(random_bytes(16));
}

/** The signed-in user's login and record, or null. */
function current_user(): ?array
{
    $login = $_SESSION['user'] ?? null;
    return is_string($login) && isset(DEMO_USERS[$login]) ? ['login' => $login] + DEMO_USERS[$login] : null;
}

/** The viewer the hub knows this user as: the role and the one id of its scope. */
function viewer_of(array $user): array
{
    return array_intersect_key($user, ['role' => 0, 'workpoint_id' => 0, 'specialist_id' => 0]);
}

/** The one visibility rule, the same the hub filters events with: may the user see this booking? */
function can_see(array $user, array $booking): bool
{
    return match ($user['role']) {
        'admin' => true,
        'supervisor' => (string) $booking['workpoint_id'] === (string) $user['workpoint_id'],
        'specialist' => (string) $booking['specialist_id'] === (string) $user['specialist_id'],
    };
}

/**
 * May the user put a booking in this specialist's calendar (create, or move there)? An admin anyone's,
 * a supervisor those of their workpoint, a specialist only their own.
 */
function may_book(array $user, int $specialist): bool
{
    if (!isset(SPECIALIST_WORKPOINT[$specialist])) {
        return false;
    }
    return can_see($user, ['specialist_id' => $specialist, 'workpoint_id' => SPECIALIST_WORKPOINT[$specialist]]);
}

/** The booking store: a Redis hash of JSON rows, standing in for the app's database table. */
function bookings_key(): string
{
    return 'demo-php:' . config()['key_prefix'] . ':bookings';
}

/** @return list<array> the bookings the user may see, by the same rule the hub filters events with */
function visible_bookings(array $user): array
{
    $rows = array_map(fn (string $json) => json_decode($json, true), redis()->hGetAll(bookings_key()) ?: []);
    $rows = array_values(array_filter($rows, fn (array $b) => can_see($user, $b)));
    usort($rows, fn (array $a, array $b) => $a['id'] <=> $b['id']);
    return $rows;
}

function find_booking(int $id): ?array
{
    $json = redis()->hGet(bookings_key(), (string) $id);
    return is_string($json) ? json_decode($json, true) : null;
}

function save_booking(array $booking): void
{
    redis()->hSet(bookings_key(), (string) $booking['id'], json_encode($booking, JSON_THROW_ON_ERROR));
}

function e(mixed $value): string
{
    return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
}
