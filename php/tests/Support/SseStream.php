<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Support;

/**
 * A viewer's stream from the hub, read over a raw socket (HTTP/1.0, so the body is not chunked),
 * with a deadline on every wait.
 */
final class SseStream
{
    /** @var resource */
    private $socket;

    private string $buffer = '';

    /** @var list<array{event: string, id: string|null, data: string}> */
    public array $events = [];

    public readonly int $status;

    /** @var array<string, string> */
    public readonly array $headers;

    public readonly string $body;

    /** Opens GET /events with the token in the Authorization header and reads the response head. */
    public function __construct(string $hubUrl, string $token, string $path = '/events')
    {
        $url = parse_url($hubUrl);
        $socket = stream_socket_client("tcp://{$url['host']}:{$url['port']}", $errno, $errstr, 5.0);
        if ($socket === false) {
            throw new \RuntimeException("cannot reach the hub at $hubUrl: $errstr");
        }
        $this->socket = $socket;
        fwrite($socket, "GET $path HTTP/1.0\r\nHost: {$url['host']}\r\nAccept: text/event-stream\r\nAuthorization: Bearer $token\r\n\r\n");
        stream_set_blocking($socket, false);
        $deadline = microtime(true) + 5;
        while (!str_contains($this->buffer, "\r\n\r\n")) {
            if (!$this->fill($deadline, 'the response head')) {
                throw new \RuntimeException("the hub closed the connection before answering: {$this->buffer}");
            }
        }
        [$head, $this->buffer] = explode("\r\n\r\n", $this->buffer, 2);
        $lines = explode("\r\n", $head);
        $this->status = (int) (explode(' ', (string) array_shift($lines))[1] ?? 0);
        $headers = [];
        foreach ($lines as $line) {
            [$name, $value] = array_map('trim', explode(':', $line, 2)) + [1 => ''];
            $headers[strtolower($name)] = $value;
        }
        $this->headers = $headers;
        $this->body = $this->status === 200 ? '' : $this->rest();
    }

    /** Waits until `count` events named `event` arrived; fails with what did arrive. */
    public function waitFor(int $count, string $event = 'booking', float $seconds = 8.0): array
    {
        $deadline = microtime(true) + $seconds;
        $this->parse();
        while (count($this->named($event)) < $count) {
            if (!$this->fill($deadline, "$count $event event(s), got " . json_encode($this->events))) {
                throw new \RuntimeException("the hub ended the stream before $count $event event(s) arrived: " . json_encode($this->events));
            }
            $this->parse();
        }
        return $this->named($event);
    }

    /** @return list<array{event: string, id: string|null, data: string}> */
    public function named(string $event): array
    {
        return array_values(array_filter($this->events, fn (array $e) => $e['event'] === $event));
    }

    public function close(): void
    {
        if (is_resource($this->socket)) {
            fclose($this->socket);
        }
    }

    public function __destruct()
    {
        $this->close();
    }

    private function rest(): string
    {
        $deadline = microtime(true) + 5;
        while ($this->fill($deadline, 'the end of the response')) {
        }
        return $this->buffer;
    }

    /** Reads what arrived within the deadline; false at the end of the response. */
    private function fill(float $deadline, string $waitingFor): bool
    {
        $left = $deadline - microtime(true);
        if ($left <= 0) {
            throw new \RuntimeException("timed out waiting for $waitingFor");
        }
        $read = [$this->socket];
        $write = $except = null;
        if (stream_select($read, $write, $except, 0, (int) min($left * 1e6, 200_000)) > 0) {
            $chunk = fread($this->socket, 65536);
            $this->buffer .= (string) $chunk;
            if (($chunk === '' || $chunk === false) && feof($this->socket)) {
                return false;
            }
        }
        return true;
    }

    private function parse(): void
    {
        $this->buffer = str_replace(["\r\n", "\r"], "\n", $this->buffer);
        while (($end = strpos($this->buffer, "\n\n")) !== false) {
            $block = substr($this->buffer, 0, $end);
            $this->buffer = substr($this->buffer, $end + 2);
            $event = ['event' => 'message', 'id' => null, 'data' => []];
            foreach (explode("\n", $block) as $line) {
                if ($line === '' || $line[0] === ':') {
                    continue;
                }
                [$field, $value] = explode(':', $line, 2) + [1 => ''];
                $value = str_starts_with($value, ' ') ? substr($value, 1) : $value;
                match ($field) {
                    'event' => $event['event'] = $value,
                    'id' => $event['id'] = $value,
                    'data' => $event['data'][] = $value,
                    default => null,
                };
            }
            if ($event['data'] !== []) {
                $this->events[] = ['event' => $event['event'], 'id' => $event['id'], 'data' => implode("\n", $event['data'])];
            }
        }
    }
}
