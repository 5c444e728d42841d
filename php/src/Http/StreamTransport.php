<?php

declare(strict_types=1);

namespace RealtimeBookings\Http;

use RealtimeBookings\Exception\ConfigurationException;

/**
 * One `POST` over PHP's own http/https stream wrapper: no extension and no dependency, TLS through
 * openssl with peer verification on. The wrapper applies `timeout` to the connect and to every read.
 *
 * @internal
 */
final class StreamTransport
{
    /** The largest answer read: the hub's are a few hundred bytes. */
    private const MAX_ANSWER_BYTES = 65536;

    /**
     * @param float                $timeout seconds for the connect and for each read
     * @param array<string, mixed> $ssl     stream context `ssl` options (e.g. `cafile` for a private CA)
     * @throws ConfigurationException when `allow_url_fopen` is off
     */
    public function __construct(private readonly float $timeout, private readonly array $ssl = [])
    {
        if (!filter_var(ini_get('allow_url_fopen'), FILTER_VALIDATE_BOOLEAN)) {
            throw new ConfigurationException('HttpPublisher needs allow_url_fopen=On (php.ini) for its http(s) stream wrapper');
        }
    }

    /**
     * Sends the request and reads the whole answer.
     *
     * @param array<string, string> $headers header lines, already checked for CR/LF
     * @throws TransportFailure when no answer arrived (`sent` says whether the request may have reached the hub)
     */
    public function post(string $url, array $headers, string $body): HubAnswer
    {
        $lines = '';
        foreach ($headers as $name => $value) {
            $lines .= "$name: $value\r\n";
        }
        $context = stream_context_create([
            'http' => [
                'method' => 'POST',
                'header' => $lines . "Connection: close\r\n",
                'content' => $body,
                'timeout' => $this->timeout,
                'ignore_errors' => true,   // 4xx/5xx answers are read, not turned into warnings
                'follow_location' => 0,    // a redirect would turn the POST into a GET: report it instead
                'protocol_version' => 1.1, // the wrapper decodes a chunked answer
            ],
            'ssl' => $this->ssl,
        ]);
        $warning = null;
        set_error_handler(static function (int $level, string $message) use (&$warning): bool {
            $warning = $message;
            return true;
        });
        $started = microtime(true);
        try {
            $stream = fopen($url, 'rb', false, $context);
            if ($stream === false) {
                throw $this->failure($warning ?? 'the request failed', microtime(true) - $started);
            }
            $head = stream_get_meta_data($stream)['wrapper_data'] ?? [];
            $answer = stream_get_contents($stream, self::MAX_ANSWER_BYTES);
            $timedOut = stream_get_meta_data($stream)['timed_out'];
            fclose($stream);
        } finally {
            restore_error_handler();
        }
        if ($timedOut || $answer === false) {
            throw new TransportFailure("the hub's answer did not arrive within {$this->timeout} s", true, true);
        }
        return self::answer(is_array($head) ? $head : [], $answer);
    }

    /**
     * The wrapper's warning, classified: "HTTP request failed!" means the connection was open and the
     * request written, but no status line came back: in time (a timeout, told by the time it took) or
     * at all (the connection closed). Any other message (refused, name not found, connect timeout, TLS
     * handshake) means nothing reached the hub.
     */
    private function failure(string $warning, float $elapsed): TransportFailure
    {
        if (!str_contains($warning, 'HTTP request failed')) {
            return new TransportFailure(preg_replace('/^fopen\([^)]*\): (Failed to open stream: )?/i', '', $warning) ?? $warning, false, false);
        }
        $timedOut = $elapsed >= $this->timeout * 0.9;
        return new TransportFailure($timedOut ? "no answer within {$this->timeout} s (the request was sent)" : 'the connection closed without an answer (the request was sent)', true, $timedOut);
    }

    /** @param array<int, mixed> $head the status line and header lines of the last response */
    private static function answer(array $head, string $body): HubAnswer
    {
        $status = 0;
        $headers = [];
        foreach ($head as $line) {
            if (!is_string($line)) {
                continue;
            }
            if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $match) === 1) {
                $status = (int) $match[1];
                $headers = [];
                continue;
            }
            [$name, $value] = explode(':', $line, 2) + [1 => ''];
            $headers[strtolower(trim($name))] = trim($value);
        }
        return new HubAnswer($status, $headers, $body);
    }
}
