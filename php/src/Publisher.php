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
    /** How long a publish's idempotency record lasts: 24 h, the protocol's `IDEMPOTENCY_WINDOW_MS`. */
    public const IDEMPOTENCY_WINDOW_MS = 86_400_000;

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
     * @param string|null                  $idempotencyKey makes a retry safe (e.g. after a Redis timeout): the first
     *                                               publish with a key publishes and records its id for 24 h; a later
     *                                               one with the same key and the same event publishes nothing and
     *                                               returns the first id, from any publisher or hub on that Redis.
     *                                               1-255 visible ASCII characters, e.g. a UUID made once per change
     * @return string the history id, e.g. "1732800000000-0" (the first publish's, for a replayed key)
     * @throws InvalidEventException when hubs would refuse the event, or for a malformed key (field
     *                               `idempotencyKey`), or a key already used for a different event
     *                               (`errorCode` `idempotency_key_reused`); nothing was published
     * @throws RedisFailureException when Redis fails
     */
    public function publish(string $type, array $booking, ?array $previous = null, ?string $origin = null, ?string $idempotencyKey = null): string
    {
        self::checkIdempotencyKey($idempotencyKey);
        $event = EventValidator::validate($type, $booking, $previous, $origin);
        return $this->publishValidated($event, $idempotencyKey);
    }

    /**
     * Publishes an event {@see EventValidator::validate()} already accepted (validate before saving the
     * booking, publish after).
     *
     * @param string|null $idempotencyKey as for {@see publish()}
     * @return string the history id (the first publish's, for a replayed key)
     * @throws InvalidEventException for a malformed idempotency key, or one already used for a different
     *                               event (`errorCode` `idempotency_key_reused`); nothing was published
     * @throws RedisFailureException when Redis fails
     */
    public function publishValidated(ValidatedEvent $event, ?string $idempotencyKey = null): string
    {
        self::checkIdempotencyKey($idempotencyKey);
        $keys = [$this->keys->history(), ...$this->keys->versionKeysOf($event)];
        $args = [$this->keys->channel, (string) $this->historyLength, $event->json];
        if ($idempotencyKey !== null) {
            // The record as the last key, the window as ARGV[4]: the script answers [id, replayed].
            $keys[] = $this->keys->prefix . ':idempotency:' . hash('sha256', $idempotencyKey);
            $args[] = (string) self::IDEMPOTENCY_WINDOW_MS;
        }
        $script = PublishScript::source($this->keys->cluster);
        try {
            $reply = $this->redis->evalScript($script, sha1($script), $keys, $args);
        } catch (RedisFailureException $e) {
            if (str_contains($e->getMessage(), 'idempotency_key_reused')) {
                throw new InvalidEventException('idempotency_key_reused', 'this idempotency key was already used for a different event: nothing was published; use a new key for a new event', 'idempotencyKey', $e);
            }
            throw $e;
        }
        $id = $idempotencyKey !== null && is_array($reply) && count($reply) === 2 ? $reply[0] : $reply;
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

    /** Refuses a key that is not 1-255 visible ASCII characters, as every publisher does. */
    private static function checkIdempotencyKey(?string $key): void
    {
        if ($key !== null && preg_match('/^[\x21-\x7e]{1,255}$/D', $key) !== 1) {
            throw new InvalidEventException('invalid_field', 'the idempotency key must be 1-255 visible ASCII characters (no spaces), e.g. a UUID', 'idempotencyKey');
        }
    }

    /** The names this publisher writes to. */
    public function keys(): RedisKeys
    {
        return $this->keys;
    }
}
