<?php

declare(strict_types=1);

namespace RealtimeBookings\Cli;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\RedisFailureException;

/**
 * Connects a phpredis or Predis client from a `redis://` / `rediss://` URL, with 2 s timeouts.
 *
 * @internal
 */
final class RedisClients
{
    /** Where Debian's php-nrk-predis puts Predis's own autoloader. */
    public const DEBIAN_PREDIS_AUTOLOAD = '/usr/share/php/Predis/autoload.php';

    /**
     * @param string      $url    redis://[user:password@]host[:port][/db], or rediss:// for TLS
     * @param string|null $client phpredis or predis; null picks phpredis when loaded, else Predis
     * @throws ConfigurationException for a bad URL or a client that is not installed
     * @throws RedisFailureException when Redis cannot be reached
     */
    public static function connect(string $url, ?string $client = null): object
    {
        $parts = parse_url($url);
        if ($parts === false || !in_array($parts['scheme'] ?? '', ['redis', 'rediss'], true)) {
            throw new ConfigurationException('the Redis URL must look like redis://127.0.0.1:6379');
        }
        $client ??= extension_loaded('redis') ? 'phpredis' : 'predis';
        return match ($client) {
            'phpredis' => self::phpredis($parts),
            'predis' => self::predis($parts),
            default => throw new ConfigurationException("--client must be phpredis or predis, got $client"),
        };
    }

    /** @param array<string, mixed> $url */
    private static function phpredis(array $url): \Redis
    {
        if (!extension_loaded('redis')) {
            throw new ConfigurationException('the phpredis extension is not loaded: apt-get install php-redis, or --client predis');
        }
        $redis = new \Redis();
        try {
            $host = ($url['scheme'] === 'rediss' ? 'tls://' : '') . ($url['host'] ?? '127.0.0.1');
            $redis->connect($host, (int) ($url['port'] ?? 6379), 2.0);
            $redis->setOption(\Redis::OPT_READ_TIMEOUT, 2.0);
            if (isset($url['pass'])) {
                $redis->auth(isset($url['user']) ? [rawurldecode($url['user']), rawurldecode($url['pass'])] : rawurldecode($url['pass']));
            }
            $db = (int) ltrim((string) ($url['path'] ?? ''), '/');
            if ($db > 0) {
                $redis->select($db);
            }
        } catch (\RedisException $error) {
            throw new RedisFailureException('cannot connect: ' . $error->getMessage(), $error);
        }
        return $redis;
    }

    /** @param array<string, mixed> $url */
    private static function predis(array $url): object
    {
        if (!class_exists(\Predis\Client::class) && is_file(self::DEBIAN_PREDIS_AUTOLOAD)) {
            require_once self::DEBIAN_PREDIS_AUTOLOAD;
        }
        if (!class_exists(\Predis\Client::class)) {
            throw new ConfigurationException('Predis is not installed: composer require predis/predis (or apt-get install php-nrk-predis)');
        }
        $parameters = array_filter([
            'scheme' => $url['scheme'] === 'rediss' ? 'tls' : 'tcp',
            'host' => $url['host'] ?? '127.0.0.1',
            'port' => (int) ($url['port'] ?? 6379),
            'username' => isset($url['user'], $url['pass']) ? rawurldecode($url['user']) : null,
            'password' => isset($url['pass']) ? rawurldecode($url['pass']) : null,
            'database' => (int) ltrim((string) ($url['path'] ?? ''), '/') ?: null,
            'timeout' => 2.0,
            'read_write_timeout' => 2.0,
        ], fn ($value) => $value !== null);
        $client = new \Predis\Client($parameters, ['exceptions' => true]);
        try {
            $client->connect();
        } catch (\Predis\PredisException $error) {
            throw new RedisFailureException('cannot connect: ' . $error->getMessage(), $error);
        }
        return $client;
    }
}
