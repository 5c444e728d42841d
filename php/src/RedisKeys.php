<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;

/**
 * The Redis names the hub and every publisher agree on (packages/protocol `redisKeys`): with the
 * default prefix `bookings`, the channel `bookings:updates`, the history stream `bookings:history`,
 * and the version counters `bookings:version`, `bookings:version:workpoint:<id>` and
 * `bookings:version:specialist:<id>`. Give the hub's `--key-prefix` and `--channel` when it has them.
 *
 * On Redis Cluster (`cluster: true`, or leave the names out and hand the Publisher a `RedisCluster`)
 * every name carries the prefix as its one hash tag: `{bookings}:history`, `{bookings}:version…`, the
 * channel `{bookings}:updates`, so the publish script touches one slot and its `SPUBLISH` reaches the
 * node the Cluster hub listens on (docs/protocol.md 4.4).
 */
final class RedisKeys
{
    public const DEFAULT_PREFIX = 'bookings';

    private const NAME_PATTERN = '/^[A-Za-z0-9_:.{}-]{1,128}$/D';

    /** The prefix of every key as written: `bookings`, or `{bookings}` for Cluster names. */
    public readonly string $prefix;

    /** The pub/sub channel. */
    public readonly string $channel;

    /**
     * @param string      $prefix  the prefix of every key (the hub's `--key-prefix`); for Cluster names give it
     *                             without braces: it becomes the hash tag, `bookings` gives `{bookings}:history`
     * @param string|null $channel the channel; `<prefix>:updates` by default (`{bookings}:updates` on Cluster)
     * @param bool        $cluster names for Redis Cluster (publish with `CLUSTER_PUBLISH_SCRIPT`, `SPUBLISH`)
     * @throws ConfigurationException for a name outside `A-Z a-z 0-9 _ : . { } -` or longer than 128; with
     *                                `cluster`, for a prefix holding `{` or `}` or a channel without the keys'
     *                                hash tag (the keys or the channel would land in another slot)
     */
    public function __construct(string $prefix = self::DEFAULT_PREFIX, ?string $channel = null, public readonly bool $cluster = false)
    {
        if ($cluster && strpbrk($prefix, '{}') !== false) {
            throw new ConfigurationException("on Redis Cluster the prefix becomes the hash tag {{$prefix}}; give it without { or }, so every key lands in one slot");
        }
        $this->prefix = $cluster ? '{' . $prefix . '}' : $prefix;
        $this->channel = $channel ?? $this->prefix . ':updates';
        if ($cluster && self::hashTagOf($this->channel) !== $prefix) {
            throw new ConfigurationException("on Redis Cluster the channel must carry the keys' hash tag {{$prefix}} (e.g. \"{{$prefix}}:updates\"), or SPUBLISH would fail after the history was written");
        }
        foreach (['prefix' => $this->prefix, 'channel' => $this->channel] as $name => $value) {
            if (preg_match(self::NAME_PATTERN, $value) !== 1) {
                throw new ConfigurationException("$name must be 1-128 characters of A-Z a-z 0-9 _ : . { } -");
            }
        }
    }

    /**
     * The hash tag Redis Cluster hashes a name by: the text between its first `{` and the first `}` after
     * it, when not empty; null when the whole name is hashed.
     */
    public static function hashTagOf(string $name): ?string
    {
        $open = strpos($name, '{');
        $close = $open === false ? false : strpos($name, '}', $open + 1);
        return $open === false || $close === false || $close === $open + 1 ? null : substr($name, $open + 1, $close - $open - 1);
    }

    /** The capped stream of recent events, for resume. */
    public function history(): string
    {
        return $this->prefix . ':history';
    }

    /** The global version counter, read by admins. */
    public function globalVersion(): string
    {
        return $this->prefix . ':version';
    }

    /** The version counter of one workpoint (a canonical id), read by its supervisors. */
    public function workpointVersion(string $id): string
    {
        return $this->prefix . ':version:workpoint:' . $id;
    }

    /** The version counter of one specialist (a canonical id), read by that specialist. */
    public function specialistVersion(string $id): string
    {
        return $this->prefix . ':version:specialist:' . $id;
    }

    /**
     * Every counter an event bumps: the global one, then one per workpoint and specialist of its scope.
     *
     * @return list<string>
     */
    public function versionKeysOf(ValidatedEvent $event): array
    {
        return [
            $this->globalVersion(),
            ...array_map($this->workpointVersion(...), $event->workpoints),
            ...array_map($this->specialistVersion(...), $event->specialists),
        ];
    }

    /** The one counter a viewer's page polls: admins the global one, the others their own scope's. */
    public function versionKeyFor(Viewer $viewer): string
    {
        return match ($viewer->role) {
            'admin' => $this->globalVersion(),
            'supervisor' => $this->workpointVersion((string) $viewer->scopeId),
            'specialist' => $this->specialistVersion((string) $viewer->scopeId),
        };
    }
}
