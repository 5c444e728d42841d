<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Exception\RedisFailureException;
use RealtimeBookings\Redis\Connections;
use RealtimeBookings\Redis\RedisConnection;

/**
 * Publishes booking changes so that every hub delivers them to the viewers allowed to see them.
 *
 * ```php
 * $publisher = new RealtimeBookings\Publisher($redis);      // phpredis \Redis or \RedisCluster, or a Predis client
 * $publisher->publish('create', $booking);                   // id, specialist_id, workpoint_id, …
 * $publisher->publish('update', $booking, ['specialist_id' => $old['specialist_id'], 'workpoint_id' => $old['workpoint_id']]);
 * ```
 *
 * Every event is checked first exactly as the hubs check it ({@see EventValidator}); one they would
 * refuse throws {@see InvalidEventException} and nothing is written to Redis.
 *
 * With a phpredis `RedisCluster` (or any {@see \RealtimeBookings\Redis\ClusterConnection}) it names the
 * keys and the channel for Cluster (`{bookings}:history`, `{bookings}:updates`) and publishes with the
 * protocol's Cluster script (`SPUBLISH`), as a hub started on that Cluster expects.
 */
final class Publisher implements BookingPublisher
{
    /** The protocol's default history length (the hub's `--history-length`). */
    public const DEFAULT_HISTORY_LENGTH = 1000;

    private readonly RedisConnection $redis;

    private readonly RedisKeys $keys;

    /**
     * @param object         $redis         a connected phpredis `\Redis` or `\RedisCluster`, a Predis client, or a
     *                                      {@see RedisConnection}
     * @param RedisKeys|null $keys          the hub's names (its `--key-prefix` / `--channel`); `bookings` by
     *                                      default, `{bookings}` on a Cluster; there give `new RedisKeys('myapp', cluster: true)`
     * @param int            $historyLength how many events the history keeps for resume (the hub's `--history-length`)
     * @throws ConfigurationException for an unsupported client, or one with a key prefix or a serializer, or
     *                                names that do not fit the client (single-node names on a Cluster)
     */
    public function __construct(
        object $redis,
        ?RedisKeys $keys = null,
        private readonly int $historyLength = self::DEFAULT_HISTORY_LENGTH,
    ) {
        if ($historyLength < 1 || $historyLength > 1_000_000) {
            throw new ConfigurationException("historyLength must be between 1 and 1000000, got $historyLength");
        }
        $this->redis = Connections::wrap($redis);
        $this->keys = Connections::keysFor($this->redis, $keys);
    }

    /**
     * Publishes one booking change with the atomic script: in one step it is appended to the history
     * (a reconnecting browser gets it on resume), the version counters of its scope go up (a polling
     * browser sees the change), and it is published with its history id.
     *
     * @param string                       $type     create, update, delete (or test)
     * @param array<array-key, mixed>      $booking  the row: id, specialist_id, workpoint_id, plus any field to show
     * @param array<array-key, mixed>|null $previous for an update that moved the booking: its old specialist_id
     *                                               and/or workpoint_id, so the viewers it left refresh too
     * @param string|null                  $origin   the id of the browser tab or client that made the change
     *                                               (1-64 printable ASCII characters), so hubs can skip echoing it back
     * @param string|null                  $idempotencyKey not supported over Redis yet: must be null
     * @return string the history id, e.g. "1732800000000-0"
     * @throws InvalidEventException when hubs would refuse the event; nothing was published
     * @throws RedisFailureException when Redis fails
     * @throws ConfigurationException for an idempotency key (see {@see publishValidated()})
     */
    public function publish(string $type, array $booking, ?array $previous = null, ?string $origin = null, ?string $idempotencyKey = null): string
    {
        $event = EventValidator::validate($type, $booking, $previous, $origin);
        return $this->publishValidated($event, $idempotencyKey);
    }

    /**
     * Publishes an event {@see EventValidator::validate()} already accepted (validate before saving the
     * booking, publish after).
     *
     * @param string|null $idempotencyKey must be null: the atomic script does not record keys yet (the
     *                                    parameter is here for {@see BookingPublisher}); refused rather than ignored
     * @return string the history id
     * @throws RedisFailureException when Redis fails
     * @throws ConfigurationException for an idempotency key
     */
    public function publishValidated(ValidatedEvent $event, ?string $idempotencyKey = null): string
    {
        if ($idempotencyKey !== null) {
            throw new ConfigurationException('the Redis Publisher does not honour idempotency keys in this version: publish without one, or over HTTP (HttpPublisher)');
        }
        $keys = [$this->keys->history(), ...$this->keys->versionKeysOf($event)];
        $args = [$this->keys->channel, (string) $this->historyLength, $event->json];
        $script = PublishScript::source($this->keys->cluster);
        $id = $this->redis->evalScript($script, sha1($script), $keys, $args);
        if (!is_string($id) || preg_match('/^\d+-\d+$/D', $id) !== 1) {
            $answer = is_scalar($id) || $id === null ? var_export($id, true) : get_debug_type($id);
            throw new RedisFailureException("the publish script answered $answer instead of a history id" . (is_object($id) ? ': is the client in MULTI or pipeline mode?' : ''));
        }
        return $id;
    }

    /**
     * The original system's bare `PUBLISH`, checked like {@see publish()}. Hubs still deliver it live,
     * but it has no history id (a browser that was reconnecting never gets it) and bumps no version (a
     * polling browser never sees it). Use it only while migrating an old publisher. Not on Redis Cluster:
     * a Cluster hub listens with `SSUBSCRIBE`, which never hears a `PUBLISH`.
     *
     * @param array<array-key, mixed> $booking
     * @return int how many subscribers (hub processes) received it
     * @throws ConfigurationException with Cluster names: use {@see publish()}
     * @throws InvalidEventException when hubs would refuse the event; nothing was published
     * @throws RedisFailureException when Redis fails
     */
    public function publishLegacy(string $type, array $booking, ?string $origin = null): int
    {
        if ($this->keys->cluster) {
            throw new ConfigurationException('publishLegacy() is a bare PUBLISH, which no Cluster hub hears (it listens with SSUBSCRIBE): use publish()');
        }
        $event = EventValidator::validate($type, $booking, null, $origin, JsonLimits::MAX_LENGTH);
        return $this->redis->publish($this->keys->channel, $event->json);
    }

    /** The names this publisher writes to. */
    public function keys(): RedisKeys
    {
        return $this->keys;
    }
}
