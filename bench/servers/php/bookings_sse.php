<?php
// (f) The seed's SSE endpoint, written from its README: one PHP-FPM worker per open stream, each
// subscribed to Redis `bookings:updates`, filtering by role in PHP. Bench only: the viewer comes from
// the query string (?role=admin, ?specialist=3, ?workpoint=1) instead of the PHP session.
set_time_limit(0);
ignore_user_abort(false);

$role = isset($_GET['role']) && $_GET['role'] === 'admin' ? 'admin' : null;
$specialist = isset($_GET['specialist']) ? (int) $_GET['specialist'] : null;
$workpoint = isset($_GET['workpoint']) ? (int) $_GET['workpoint'] : null;
if ($role === null && $specialist === null && $workpoint === null) {
    http_response_code(401);
    exit;
}

header('Content-Type: text/event-stream');
header('Cache-Control: no-cache');
header('X-Accel-Buffering: no');
while (ob_get_level() > 0) {
    ob_end_clean();
}

$heartbeat = (float) ($_SERVER['BENCH_HEARTBEAT_S'] ?? 15);
$redisPort = (int) ($_SERVER['BENCH_REDIS_PORT'] ?? 6379);

echo "retry: 2000\n\n";
flush();

// Subscribe and wait; a read timeout (no message for $heartbeat seconds) sends a heartbeat and
// subscribes again. Writing to a closed stream ends the script (ignore_user_abort(false)).
while (!connection_aborted()) {
    $redis = new Redis();
    $redis->connect('127.0.0.1', $redisPort, 2.0);
    $redis->setOption(Redis::OPT_READ_TIMEOUT, $heartbeat);
    try {
        $redis->subscribe(['bookings:updates'], function ($redis, $channel, $message) use ($role, $specialist, $workpoint) {
            $event = json_decode($message, true);
            if (!is_array($event) || !isset($event['data']) || !is_array($event['data'])) {
                return;
            }
            $data = $event['data'];
            $visible = $role === 'admin'
                || ($specialist !== null && (int) ($data['specialist_id'] ?? -1) === $specialist)
                || ($workpoint !== null && (int) ($data['workpoint_id'] ?? -1) === $workpoint);
            if (!$visible) {
                return;
            }
            echo "event: booking\ndata: " . json_encode($event) . "\n\n";
            flush();
        });
    } catch (RedisException $e) {
        // read timeout: fall through to the heartbeat
    }
    try {
        $redis->close();
    } catch (Throwable $e) {
    }
    echo ": ping\n\n";
    flush();
}
