<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

/**
 * A stand-in hub on PHP's built-in server (`php -S`, a real HTTP server on loopback): it answers each
 * request with the next scripted answer and records what it received, for the cases a real hub
 * cannot be made to produce on demand (an exact `Retry-After`, a slow answer, a proxy's page).
 */
final class FakeHub
{
    /** @var resource */
    private $process;

    private readonly string $dir;

    public readonly string $url;

    /**
     * @param list<array{status: int, headers?: array<string, string>, body?: string, delay?: float}> $answers
     *        in order; the last one repeats
     * @param list<string> $script      another server script to run instead of `php -S` (with the port and
     *                                  `connections` as arguments)
     */
    public function __construct(array $answers, array $script = [], int $connections = 0)
    {
        $this->dir = sys_get_temp_dir() . '/rb-fake-hub-' . bin2hex(random_bytes(6));
        mkdir($this->dir);
        file_put_contents("$this->dir/answers.json", json_encode($answers));
        touch("$this->dir/requests.jsonl");
        $port = self::freePort();
        $this->url = "http://127.0.0.1:$port";
        $process = proc_open(
            $script === [] ? [PHP_BINARY, '-S', "127.0.0.1:$port", __DIR__ . '/fake-hub-router.php'] : [PHP_BINARY, ...$script, (string) $port, (string) $connections],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$this->dir/server.log", 'a'], 2 => ['file', "$this->dir/server.log", 'a']],
            $pipes,
            null,
            ['FAKE_HUB_DIR' => $this->dir, 'PATH' => (string) getenv('PATH')],
        );
        if (!is_resource($process)) {
            throw new \RuntimeException('could not start php -S');
        }
        $this->process = $process;
        $deadline = microtime(true) + 5;
        while (($socket = @stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 0.2)) === false) {
            if (microtime(true) > $deadline) {
                $this->stop();
                throw new \RuntimeException("the server did not listen on $port within 5 s: " . file_get_contents("$this->dir/server.log"));
            }
            usleep(50_000);
        }
        fclose($socket);
    }

    /**
     * A server that closes each of `connections` connections without answering, once the request
     * arrived; stop it with {@see stop()}.
     */
    public static function closing(int $connections): self
    {
        return new self([], [__DIR__ . '/closing-server.php'], $connections + 1); // + FakeHub's readiness probe
    }

    /** A JSON answer. @param array<string, string> $headers */
    public static function json(int $status, mixed $body, array $headers = [], float $delay = 0): array
    {
        return ['status' => $status, 'headers' => ['Content-Type' => 'application/json'] + $headers, 'body' => json_encode($body), 'delay' => $delay];
    }

    /** @return list<array{method: string, path: string, headers: array<string, string>, body: string}> what arrived, in order */
    public function requests(): array
    {
        $lines = file("$this->dir/requests.jsonl", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [];
        return array_map(fn (string $line) => json_decode($line, true), $lines);
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
        foreach (glob("$this->dir/*") ?: [] as $file) {
            unlink($file);
        }
        @rmdir($this->dir);
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** A port nothing listens on right now (the kernel's pick). */
    public static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($server === false) {
            throw new \RuntimeException("no free port: $errstr");
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);
        return (int) substr($name, strrpos($name, ':') + 1);
    }
}
