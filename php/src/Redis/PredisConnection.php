<?php

declare(strict_types=1);

namespace RealtimeBookings\Redis;

use Predis\ClientInterface;
use Predis\PredisException;
use Predis\Response\ErrorInterface;
use Predis\Response\ServerException;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\RedisFailureException;

/**
 * {@see RedisConnection} on Predis (1.1, e.g. Debian's `php-nrk-predis`, and 2.x: the calls used here
 * are the same in both). The client must have no `prefix` option: the hub reads the keys exactly as
 * they are named. Works whether the client throws server errors (the default) or returns them
 * (`'exceptions' => false`).
 */
final class PredisConnection implements RedisConnection
{
    /**
     * @param ClientInterface $client a Predis client for one Redis (not a Predis cluster or replication
     *                                client: not supported yet)
     * @throws ConfigurationException when the client prefixes keys
     */
    public function __construct(private readonly ClientInterface $client)
    {
        $prefix = $client->getOptions()->prefix;
        if ($prefix !== null) {
            throw new ConfigurationException('the Predis client has a key prefix option: give the prefix to the Publisher instead (new RedisKeys(…)) and use a client without one');
        }
    }

    public function evalScript(string $script, string $sha1, array $keys, array $args): mixed
    {
        try {
            $reply = $this->client->evalsha($sha1, count($keys), ...$keys, ...$args);
            if ($reply instanceof ErrorInterface && $reply->getErrorType() === 'NOSCRIPT') {
                $reply = $this->client->eval($script, count($keys), ...$keys, ...$args);
            }
        } catch (ServerException $error) {
            if ($error->getErrorType() !== 'NOSCRIPT') {
                throw new RedisFailureException($error->getMessage(), $error);
            }
            $reply = $this->call(fn () => $this->client->eval($script, count($keys), ...$keys, ...$args));
        } catch (PredisException $error) {
            throw new RedisFailureException($error->getMessage(), $error);
        }
        return $this->reply($reply);
    }

    public function publish(string $channel, string $message): int
    {
        $reply = $this->reply($this->call(fn () => $this->client->publish($channel, $message)));
        if (!is_int($reply)) {
            throw new RedisFailureException('PUBLISH answered ' . get_debug_type($reply));
        }
        return $reply;
    }

    public function get(string $key): ?string
    {
        $reply = $this->reply($this->call(fn () => $this->client->get($key)));
        if ($reply !== null && !is_string($reply)) {
            throw new RedisFailureException('GET answered ' . get_debug_type($reply));
        }
        return $reply;
    }

    private function call(\Closure $command): mixed
    {
        try {
            return $command();
        } catch (PredisException $error) {
            throw new RedisFailureException($error->getMessage(), $error);
        }
    }

    /** A returned (not thrown) server error becomes an exception; a status reply becomes its text. */
    private function reply(mixed $reply): mixed
    {
        if ($reply instanceof ErrorInterface) {
            throw new RedisFailureException($reply->getMessage());
        }
        if (is_object($reply) && method_exists($reply, 'getPayload')) {
            return $reply->getPayload();
        }
        return $reply;
    }
}
