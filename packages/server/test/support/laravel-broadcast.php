<?php
// What Laravel's Redis broadcaster sends, with phpredis, for the hub's tests.
//
// Source: laravel/framework, src/Illuminate/Broadcasting/Broadcasters/RedisBroadcaster.php,
// RedisBroadcaster::broadcast() builds the message in one of two ways:
//     $payload = json_encode(['event' => $event, 'data' => $payload, 'socket' => Arr::pull($payload, 'socket')]);
// (Laravel 8 to 10: `data` is copied before the pull, so it still holds `socket`), or, in the newest
// versions and the oldest ones, with `$socket = Arr::pull($payload, 'socket');` first (`data` without it);
// then, in recent versions, ONE eval of broadcastMultipleChannelsScript() with
//     0, $payload, ...$this->formatChannels($channels)      (formatChannels puts the Redis prefix in front)
// and, in older versions, $connection->publish($channel, $payload) per channel, where phpredis's
// OPT_PREFIX (Laravel's database.redis.options.prefix, "laravel_database_" by default) prefixes the channel.
//
// Usage: php laravel-broadcast.php <port> <eval|publish> <prefix> <channels JSON array> <event> <payload JSON object>
// Prints the message it published.

[, $port, $mode, $prefix, $channelsJson, $event, $payloadJson] = $argv;
$channels = json_decode($channelsJson, true, 16, JSON_THROW_ON_ERROR);
$payload = $mode === 'raw' ? [] : json_decode($payloadJson, true, 64, JSON_THROW_ON_ERROR);

$redis = new Redis();
$redis->connect('127.0.0.1', (int) $port, 2.0);

/** Illuminate\Support\Arr::pull for one plain key: takes it out of the array, null when absent. */
function arr_pull(array &$array, string $key)
{
    $value = $array[$key] ?? null;
    unset($array[$key]);
    return $value;
}

if ($mode === 'eval') {
    // Laravel 8 to 10, verbatim: the pull runs after `data` took its copy.
    $message = json_encode(['event' => $event, 'data' => $payload, 'socket' => arr_pull($payload, 'socket')]);
} else {
    $socket = arr_pull($payload, 'socket');
    $message = json_encode(['event' => $event, 'data' => $payload, 'socket' => $socket]);
}

if ($mode === 'eval') {
    $script = <<<'LUA'
for i = 2, #ARGV do
  redis.call('publish', ARGV[i], ARGV[1])
end
LUA;
    $formatted = array_map(fn ($channel) => $prefix . $channel, $channels);
    $redis->eval($script, array_merge([$message], $formatted), 0);
} elseif ($mode === 'publish') {
    $redis->setOption(Redis::OPT_PREFIX, $prefix);
    foreach ($channels as $channel) {
        $redis->publish($channel, $message);
    }
} elseif ($mode === 'raw') {
    // A message Laravel would not send: the last argument is published as it is, on each channel.
    foreach ($channels as $channel) {
        $redis->publish($prefix . $channel, $payloadJson);
    }
    $message = $payloadJson;
} else {
    fwrite(STDERR, "mode must be eval, publish or raw\n");
    exit(2);
}
echo $message;
