<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Unit;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\PublishScript;
use RealtimeBookings\Publisher;
use RealtimeBookings\RedisKeys;
use RealtimeBookings\Tests\Support\RecordingCluster;
use RealtimeBookings\Tests\Support\RecordingRedis;
use RealtimeBookings\Versions;

/**
 * Redis Cluster without a Cluster: a recording {@see \RealtimeBookings\Redis\ClusterConnection} shows what the Publisher and
 * Versions send (the real Cluster run is packages/server/test/topology/php-cluster.test.ts).
 */
final class ClusterNamesTest extends TestCase
{
    public function testClusterNamesCarryThePrefixAsTheirOneHashTag(): void
    {
        $keys = new RedisKeys('myapp', cluster: true);
        $this->assertSame(
            ['{myapp}', '{myapp}:updates', '{myapp}:history', '{myapp}:version', '{myapp}:version:workpoint:1', '{myapp}:version:specialist:sp-3'],
            [$keys->prefix, $keys->channel, $keys->history(), $keys->globalVersion(), $keys->workpointVersion('1'), $keys->specialistVersion('sp-3')],
        );
        $this->assertSame('{myapp}:events', (new RedisKeys('myapp', '{myapp}:events', true))->channel);
        $this->assertSame(['bookings', 'bookings:updates'], [(new RedisKeys())->prefix, (new RedisKeys())->channel]);
    }

    /** @return array<string, array{0: string, 1: string|null, 2: string}> */
    public static function splitNames(): array
    {
        return [
            'a prefix with braces' => ['{myapp}', null, 'the prefix becomes the hash tag {{myapp}}; give it without { or }'],
            'a channel without a hash tag' => ['myapp', 'myapp:updates', "the channel must carry the keys' hash tag {myapp}"],
            'a channel with another hash tag' => ['myapp', '{other}:updates', "the channel must carry the keys' hash tag {myapp}"],
            'a channel with an empty hash tag first' => ['myapp', '{}{myapp}:updates', "the channel must carry the keys' hash tag {myapp}"],
        ];
    }

    /** @dataProvider splitNames */
    public function testClusterNamesThatWouldSplitAcrossSlotsAreRefused(string $prefix, ?string $channel, string $message): void
    {
        $this->expectException(ConfigurationException::class);
        $this->expectExceptionMessage($message);
        new RedisKeys($prefix, $channel, true);
    }

    public function testOnAClusterConnectionThePublisherSendsTheClusterScriptWithTaggedKeys(): void
    {
        $cluster = new RecordingCluster();
        $id = (new Publisher($cluster, historyLength: 50))->publish('update', ['id' => 7, 'specialist_id' => 4, 'workpoint_id' => 1], ['specialist_id' => 3]);
        $this->assertSame('1-0', $id);
        [$script, $sha1, $keys, $args] = $cluster->evals[0];
        $this->assertSame([PublishScript::CLUSTER_SOURCE, sha1(PublishScript::CLUSTER_SOURCE)], [$script, $sha1]);
        $this->assertStringContainsString("redis.call('SPUBLISH'", $script);
        $this->assertSame(['{bookings}:history', '{bookings}:version', '{bookings}:version:workpoint:1', '{bookings}:version:specialist:4', '{bookings}:version:specialist:3'], $keys);
        $this->assertSame('{bookings}:updates', $args[0]);
        $this->assertSame('50', $args[1]);
    }

    public function testOnASingleRedisThePublisherKeepsTheSingleNodeScript(): void
    {
        $single = new RecordingRedis();
        (new Publisher($single))->publish('create', ['id' => 7, 'specialist_id' => 4, 'workpoint_id' => 1]);
        $this->assertSame([PublishScript::SOURCE, PublishScript::sha1(), 'bookings:history', 'bookings:updates'], [$single->evals[0][0], $single->evals[0][1], $single->evals[0][2][0], $single->evals[0][3][0]]);
    }

    public function testVersionsReadsTheClusterCounterOfTheViewersScope(): void
    {
        $cluster = new RecordingCluster();
        $this->assertSame(5, (new Versions($cluster, new RedisKeys('myapp', cluster: true)))->for(['role' => 'supervisor', 'workpoint_id' => 2]));
        $this->assertSame(['{myapp}:version:workpoint:2'], $cluster->gets);
    }

    public function testNamesThatDoNotFitTheConnectionAreRefused(): void
    {
        try {
            new Publisher(new RecordingCluster(), new RedisKeys('myapp'));
            $this->fail('single-node names were accepted on a Cluster');
        } catch (ConfigurationException $error) {
            $this->assertStringContainsString("give Cluster names, new RedisKeys('myapp', cluster: true)", $error->getMessage());
        }
        $this->expectException(ConfigurationException::class);
        $this->expectExceptionMessage('Cluster names (RedisKeys with cluster: true) need a Cluster client');
        new Versions(new RecordingRedis(), new RedisKeys('myapp', cluster: true));
    }

    public function testTheLegacyBarePublishIsRefusedOnACluster(): void
    {
        $cluster = new RecordingCluster();
        try {
            (new Publisher($cluster))->publishLegacy('create', ['id' => 7, 'specialist_id' => 4, 'workpoint_id' => 1]);
            $this->fail('publishLegacy() published on a Cluster');
        } catch (ConfigurationException $error) {
            $this->assertStringContainsString('no Cluster hub hears', $error->getMessage());
        }
        $this->assertSame([], $cluster->publishes);
    }
}
