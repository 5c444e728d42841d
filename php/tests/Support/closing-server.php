<?php
/**
 * For {@see FakeHub::closing()}: listens on argv[1], and closes every connection once the request has
 * arrived, without an answer (a hub that crashed mid-request). Ends after argv[2] connections (the readiness probe is one) or 20 s.
 */

declare(strict_types=1);

$server = stream_socket_server('tcp://127.0.0.1:' . (int) $argv[1], $errno, $errstr) or exit(1);
$deadline = time() + 20;
for ($i = 0; $i < (int) $argv[2] && time() < $deadline; $i++) {
    $connection = @stream_socket_accept($server, max(1, $deadline - time()));
    if ($connection === false) {
        break;
    }
    stream_set_timeout($connection, 2);
    $request = '';
    while (!str_contains($request, "\r\n\r\n") && !feof($connection) && !stream_get_meta_data($connection)['timed_out']) {
        $request .= (string) fread($connection, 8192);
    }
    fclose($connection);
}
