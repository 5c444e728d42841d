<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\ConfigurationException;
use RealtimeBookings\Publisher;
use RealtimeBookings\RedisKeys;
use RealtimeBookings\Redis\Connections;
use RealtimeBookings\Redis\PhpRedisConnection;
use RealtimeBookings\Redis\PredisConnection;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;

/** Client checks: they happen when the Publisher is built, before anything is published. */
final class ConnectionsTest extends TestCase
{
    private string $url;

    protected function setUp(): void
    {
        $this->url = Environment::require($this)['redis'];
    }

    public function testAnUnconnectedPhpredisClientIsRefusedWithWhatToDo(): void
    {
        $this->expectExceptionMessageMatches('/not connected: call connect\(\)/');
        new Publisher(new \Redis());
    }

    public function testEachClientGetsItsAdapter(): void
    {
        $this->assertInstanceOf(PhpRedisConnection::class, Connections::wrap(Clients::inspector($this->url)));
        $this->assertInstanceOf(PredisConnection::class, Connections::wrap(new \Predis\Client()));
    }

    public function testAnotherObjectIsRefusedWithWhatToPass(): void
    {
        $this->expectExceptionMessageMatches('/cannot publish with a stdClass: pass a phpredis \\\\Redis or \\\\RedisCluster, a Predis client/');
        new Publisher(new \stdClass());
    }

    public function testAPhpredisPrefixIsRefusedBecauseTheHubWouldNotFindTheKeys(): void
    {
        $redis = Clients::inspector($this->url);
        $redis->setOption(\Redis::OPT_PREFIX, 'app:');
        $this->expectException(ConfigurationException::class);
        new Publisher($redis);
    }

    public function testAPhpredisSerializerIsRefused(): void
    {
        $redis = Clients::inspector($this->url);
        $redis->setOption(\Redis::OPT_SERIALIZER, \Redis::SERIALIZER_PHP);
        $this->expectException(ConfigurationException::class);
        new Publisher($redis);
    }

    public function testAPredisPrefixIsRefused(): void
    {
        $this->expectException(ConfigurationException::class);
        new Publisher(new \Predis\Client([], ['prefix' => 'app:']));
    }

    public function testKeyNamesAreTheProtocolsAndRefuseGlobCharacters(): void
    {
        $keys = new RedisKeys('{bookings}');
        $this->assertSame(['{bookings}:updates', '{bookings}:history', '{bookings}:version', '{bookings}:version:workpoint:12'], [$keys->channel, $keys->history(), $keys->globalVersion(), $keys->workpointVersion('12')]);
        $this->expectException(ConfigurationException::class);
        new RedisKeys('bookings*');
    }
}
