<?php

declare(strict_types=1);

namespace RealtimeBookings;

use RealtimeBookings\Exception\ConfigurationException;

/**
 * The Redis names the hub and every publisher agree on (packages/protocol `redisKeys`): with the
 * default prefix `bookings`, the channel `bookings:updates`, the history stream `bookings:history`,
 * and the version counters `bookings:version`, `bookings:version:workpoint:<id>` and
 * `bookings:version:specialist:<id>`. Give the hub's `--key-prefix` and `--channel` when it has them.
 */
final class RedisKeys
{
    public const DEFAULT_PREFIX = 'bookings';

    private const NAME_PATTERN = '/^[A-Za-z0-9_:.{}-]{1,128}$/D';

    /** The pub/sub channel. */
    public readonly string $channel;

    /**
     * @param string      $prefix  the prefix of every key; `{bookings}` on Redis Cluster (one slot)
     * @param string|null $channel the channel; `<prefix>:updates` by default
     * @throws ConfigurationException for a name outside `A-Z a-z 0-9 _ : . { } -` or longer than 128
     */
    public function __construct(public readonly string $prefix = self::DEFAULT_PREFIX, ?string $channel = null)
    {
        $this->channel = $channel ?? $prefix . ':updates';
        foreach (['prefix' => $this->prefix, 'channel' => $this->channel] as $name => $value) {
            if (preg_match(self::NAME_PATTERN, $value) !== 1) {
                throw new ConfigurationException("$name must be 1-128 characters of A-Z a-z 0-9 _ : . { } -");
            }
        }
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
