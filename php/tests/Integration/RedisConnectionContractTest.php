<?php

declare(strict_types=1);

namespace RealtimeBookings\Tests\Integration;

use PHPUnit\Framework\TestCase;
use RealtimeBookings\Exception\RedisFailureException;
use RealtimeBookings\PublishScript;
use RealtimeBookings\Redis\Connections;
use RealtimeBookings\Redis\RedisConnection;
use RealtimeBookings\Tests\Support\Clients;
use RealtimeBookings\Tests\Support\Environment;

/**
 * The contract every RedisConnection adapter must keep, run against each real client: a future
 * adapter (RedisCluster, Sentinel) joins the data provider and must pass the same tests.
 */
final class RedisConnectionContractTest extends TestCase
{
    private string $url;

    protected function setUp(): void
    {
        $this->url = Environment::require($this)['redis'];
    }

    private function connection(string $client): RedisConnection
    {
        return Connections::wrap(Clients::connect($client, $this->url));
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testGetAnswersTheValueOrNull(string $client): void
    {
        $key = 'contract:' . Clients::uniqueId($this->url);
        $redis = $this->connection($client);
        $this->assertNull($redis->get($key));
        Clients::inspector($this->url)->set($key, '42');
        $this->assertSame('42', $redis->get($key));
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testPublishAnswersHowManySubscribersHeardIt(string $client): void
    {
        $this->assertSame(0, $this->connection($client)->publish('contract:nobody:' . Clients::uniqueId($this->url), '{}'));
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testAScriptRunsByItsSha1AndIsLoadedOnNoscript(string $client): void
    {
        $inspector = Clients::inspector($this->url);
        $inspector->script('flush');
        $stream = 'contract:history:' . Clients::uniqueId($this->url);
        $redis = $this->connection($client);
        $args = ['contract:channel', '10', '{"type":"test","data":{}}'];
        $first = $redis->evalScript(PublishScript::SOURCE, PublishScript::sha1(), [$stream, "$stream:v"], $args);
        $second = $redis->evalScript(PublishScript::SOURCE, PublishScript::sha1(), [$stream, "$stream:v"], $args);
        $this->assertMatchesRegularExpression('/^\d+-\d+$/', (string) $first);
        $this->assertMatchesRegularExpression('/^\d+-\d+$/', (string) $second);
        $this->assertSame([2, '2'], [$inspector->xLen($stream), $inspector->get("$stream:v")]);
    }

    /** @dataProvider \RealtimeBookings\Tests\Support\Clients::names */
    public function testAScriptErrorIsARedisFailureWithRedisMessage(string $client): void
    {
        $stream = 'contract:history:' . Clients::uniqueId($this->url);
        $this->expectException(RedisFailureException::class);
        $this->expectExceptionMessageMatches('/the event must be a JSON object with fields/');
        $this->connection($client)->evalScript(PublishScript::SOURCE, PublishScript::sha1(), [$stream], ['contract:channel', '10', '[]']);
    }

    public function testAnUnreachableRedisIsARedisFailureNotAPredisException(): void
    {
        // Predis connects lazily: the failure comes with the first command. (phpredis fails in connect(),
        // in the app's code, before a client can be handed over.)
        $this->expectException(RedisFailureException::class);
        $this->expectExceptionMessageMatches('/Connection refused/');
        Connections::wrap(new \Predis\Client(['host' => '127.0.0.1', 'port' => 1, 'timeout' => 1.0]))->get('contract:any');
    }
}
