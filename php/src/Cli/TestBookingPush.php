<?php

declare(strict_types=1);

namespace RealtimeBookings\Cli;

use RealtimeBookings\Exception\InvalidEventException;
use RealtimeBookings\Exception\PublishRefusedException;
use RealtimeBookings\HttpPublisher;
use RealtimeBookings\Exception\RealtimeBookingsException;
use RealtimeBookings\Publisher;
use RealtimeBookings\PublisherToken;
use RealtimeBookings\RedisKeys;

/**
 * `bin/test_booking_push`: the original system's test script, on the atomic publish.
 *
 * @internal
 */
final class TestBookingPush
{
    public const HELP = <<<'TXT'
Usage: test_booking_push [options]

Publishes one booking change the way your app does, and prints its history id. Every open page
allowed to see the booking refreshes (the original system's `php test_booking_push.php`).

  --type <type>                create, update, delete or test (default create)
  --id <id>                    the booking id (default 42)
  --specialist <id>            its specialist (default 3)
  --workpoint <id>             its workpoint (default 1)
  --previous-specialist <id>   for a move: the old specialist
  --previous-workpoint <id>    for a move: the old workpoint
  --origin <id>                the publishing client's id (no-echo)
  --legacy                     a bare PUBLISH like the original system (no id, no version)
  --redis <url>                Redis (env REDIS_URL, default redis://127.0.0.1:6379)
  --key-prefix <prefix>        the hub's --key-prefix (env REALTIME_BOOKINGS_KEY_PREFIX, default bookings)
  --channel <name>             the hub's --channel (default <key-prefix>:updates)
  --client <name>              phpredis or predis (default: phpredis when loaded, else predis)
  --http <url>                 publish over HTTP to this hub (its base URL with its prefix) instead of Redis
  --token <jwt>                with --http: a publisher token (env REALTIME_BOOKINGS_PUBLISHER_TOKEN); without
                               one, a token is minted with REALTIME_BOOKINGS_PUBLISHER_SECRET, else
                               REALTIME_BOOKINGS_SECRET
  --issuer <iss>               with --http: the iss of the minted token (the hub's --issuer)
  --audience <aud>             with --http: the aud of the minted token (the hub's --audience)
  --idempotency-key <key>      a retry with the same key publishes once
  -h, --help                   show this help

Exit status: 0 published, 1 Redis or the hub failed (try again), 2 bad arguments, an event the hubs
would refuse, or a publish the hub refused (credentials, scope).

TXT;

    private const VALUED = ['type', 'id', 'specialist', 'workpoint', 'previous-specialist', 'previous-workpoint', 'origin', 'redis', 'key-prefix', 'channel', 'client', 'http', 'token', 'issuer', 'audience', 'idempotency-key'];

    /**
     * @param list<string>          $args the arguments after the script name
     * @param array<string, string> $env  the environment
     * @param resource              $out
     * @param resource              $err
     * @return int the exit status
     */
    public static function run(array $args, array $env, $out, $err): int
    {
        try {
            $options = self::parse($args);
        } catch (\InvalidArgumentException $error) {
            fwrite($err, 'test_booking_push: ' . $error->getMessage() . "\nRun with --help for the options.\n");
            return 2;
        }
        if (isset($options['help'])) {
            fwrite($out, self::HELP);
            return 0;
        }
        $booking = [
            'id' => self::id($options['id'] ?? '42'),
            'specialist_id' => self::id($options['specialist'] ?? '3'),
            'workpoint_id' => self::id($options['workpoint'] ?? '1'),
            'client' => 'Test booking',
            'start' => date('Y-m-d H:i'),
        ];
        $previous = array_map(self::id(...), array_filter([
            'specialist_id' => $options['previous-specialist'] ?? null,
            'workpoint_id' => $options['previous-workpoint'] ?? null,
        ], fn ($value) => $value !== null));
        $type = $options['type'] ?? 'create';
        $origin = $options['origin'] ?? null;
        try {
            if (isset($options['http'])) {
                if (isset($options['legacy'])) {
                    throw new \InvalidArgumentException('--legacy is a bare Redis PUBLISH: not with --http');
                }
                $publisher = new HttpPublisher($options['http'], self::publisherToken($options, $env));
                fwrite($out, $publisher->publish($type, $booking, $previous, $origin, $options['idempotency-key'] ?? null) . "\n");
                return 0;
            }
            $keys = new RedisKeys($options['key-prefix'] ?? ($env['REALTIME_BOOKINGS_KEY_PREFIX'] ?? RedisKeys::DEFAULT_PREFIX), $options['channel'] ?? null);
            $client = RedisClients::connect($options['redis'] ?? ($env['REDIS_URL'] ?? 'redis://127.0.0.1:6379'), $options['client'] ?? null);
            $publisher = new Publisher($client, $keys);
            if (isset($options['legacy'])) {
                $receivers = $publisher->publishLegacy($type, $booking, $origin);
                fwrite($out, "legacy PUBLISH heard by $receivers hub process(es)\n");
            } else {
                fwrite($out, $publisher->publish($type, $booking, $previous, $origin, $options['idempotency-key'] ?? null) . "\n");
            }
            return 0;
        } catch (InvalidEventException | PublishRefusedException | \InvalidArgumentException $error) {
            fwrite($err, 'test_booking_push: ' . $error->getMessage() . "\n");
            return 2;
        } catch (RealtimeBookingsException | \Throwable $error) {
            fwrite($err, 'test_booking_push: ' . $error->getMessage() . "\n");
            return 1;
        }
    }

    /**
     * The token of `--http`: `--token`, the environment's, or one minted for a minute with the secret.
     *
     * @param array<string, string> $options
     * @param array<string, string> $env
     */
    private static function publisherToken(array $options, array $env): string
    {
        $token = $options['token'] ?? ($env['REALTIME_BOOKINGS_PUBLISHER_TOKEN'] ?? '');
        if ($token !== '') {
            return $token;
        }
        $secret = ($env['REALTIME_BOOKINGS_PUBLISHER_SECRET'] ?? '') !== '' ? $env['REALTIME_BOOKINGS_PUBLISHER_SECRET'] : ($env['REALTIME_BOOKINGS_SECRET'] ?? '');
        if ($secret === '') {
            throw new \InvalidArgumentException('--http needs --token, REALTIME_BOOKINGS_PUBLISHER_TOKEN, or a secret to mint one (REALTIME_BOOKINGS_PUBLISHER_SECRET or REALTIME_BOOKINGS_SECRET)');
        }
        return PublisherToken::hs256($secret, $options['issuer'] ?? null, $options['audience'] ?? null)->mint(null, 'test_booking_push', 60);
    }

    /** PDO returns integers as strings: both forms are the same id to the hub; digits stay an integer. */
    private static function id(string $value): int|string
    {
        return preg_match('/^\d{1,15}$/D', $value) === 1 ? (int) $value : $value;
    }

    /**
     * @param list<string> $args
     * @return array<string, string>
     */
    private static function parse(array $args): array
    {
        $options = [];
        for ($i = 0; $i < count($args); $i++) {
            $arg = $args[$i];
            if ($arg === '-h' || $arg === '--help') {
                $options['help'] = '';
                continue;
            }
            if ($arg === '--legacy') {
                $options['legacy'] = '';
                continue;
            }
            if (preg_match('/^--([a-z-]+)(?:=(.*))?$/sD', $arg, $match) !== 1 || !in_array($match[1], self::VALUED, true)) {
                throw new \InvalidArgumentException("unknown option $arg");
            }
            $value = $match[2] ?? ($args[++$i] ?? throw new \InvalidArgumentException("--{$match[1]} needs a value"));
            $options[$match[1]] = $value;
        }
        return $options;
    }
}
