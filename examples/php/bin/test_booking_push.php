<?php
/**
 * The original system's test_booking_push.php, on the atomic publish: publishes one booking change
 * and prints its history id. Every browser allowed to see the booking refreshes.
 *
 *   php bin/test_booking_push.php [--type create] [--id 42] [--specialist 3] [--workpoint 1]
 *                                 [--previous-specialist 2] [--previous-workpoint 1] [--legacy]
 *
 * Environment: REDIS_URL (default redis://127.0.0.1:6379), REALTIME_BOOKINGS_KEY_PREFIX (default bookings).
 */

declare(strict_types=1);

require_once dirname(__DIR__) . '/src/RealtimeBookings.php';

use RealtimeBookings\Publisher;

$options = getopt('', ['type:', 'id:', 'specialist:', 'workpoint:', 'previous-specialist:', 'previous-workpoint:', 'legacy', 'help']);
if (isset($options['help'])) {
    fwrite(STDOUT, "Usage: php bin/test_booking_push.php [--type create|update|delete] [--id 42] [--specialist 3] [--workpoint 1]\n" .
        "                                     [--previous-specialist N] [--previous-workpoint N] [--legacy]\n");
    exit(0);
}
/** PDO returns integers as strings: both forms are the same id to the hub. */
$id = fn (string $value): int|string => preg_match('/^\d{1,15}$/', $value) ? (int) $value : $value;

$booking = [
    'id' => $id($options['id'] ?? '42'),
    'specialist_id' => $id($options['specialist'] ?? '3'),
    'workpoint_id' => $id($options['workpoint'] ?? '1'),
    'client' => 'Test booking',
    'start' => date('Y-m-d H:i'),
];
$previous = array_filter([
    'specialist_id' => isset($options['previous-specialist']) ? $id($options['previous-specialist']) : null,
    'workpoint_id' => isset($options['previous-workpoint']) ? $id($options['previous-workpoint']) : null,
], fn ($v) => $v !== null);

try {
    $url = parse_url(getenv('REDIS_URL') ?: 'redis://127.0.0.1:6379');
    $redis = new Redis();
    $redis->connect($url['host'] ?? '127.0.0.1', (int) ($url['port'] ?? 6379), 2.0);
    if (isset($url['pass'])) {
        $redis->auth(rawurldecode($url['pass']));
    }
    $publisher = new Publisher($redis, getenv('REALTIME_BOOKINGS_KEY_PREFIX') ?: 'bookings');
    $type = $options['type'] ?? 'create';
    if (isset($options['legacy'])) {
        $receivers = $publisher->publishLegacy($type, $booking);
        fwrite(STDOUT, "legacy PUBLISH heard by $receivers hub process(es)\n");
    } else {
        fwrite(STDOUT, $publisher->publish($type, $booking, $previous) . "\n");
    }
} catch (Throwable $error) {
    fwrite(STDERR, 'test_booking_push: ' . $error->getMessage() . "\n");
    exit(1);
}
