import { CLUSTER_PUBLISH_SCRIPT, PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { type RedisClusterSet, hasRedisSentinel, requireBinary, startRedisCluster } from "@realtime-bookings/test-utils";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterClient, ioredisClusterBroker } from "../../src/brokers/ioredis.js";
import { recorder } from "../support/broker-contract.js";

/** The Composer package's own PSR-4 autoloader (php/), as an app without Composer loads it. */
const PHP_AUTOLOAD = fileURLToPath(new URL("../../../../php/autoload.php", import.meta.url));
const available = hasRedisSentinel() && requireBinary("php", "apt-get install php-cli php-redis");

/** Runs PHP code with the package loaded; returns stdout and stderr. */
function php(code: string): { out: string; err: string } {
  const run = spawnSync("php", ["-r", `require ${JSON.stringify(PHP_AUTOLOAD)}; ${code}`], { encoding: "utf8", timeout: 15_000 });
  return { out: run.stdout, err: run.stderr };
}

/** PHP that builds a phpredis RedisCluster on the test Cluster's seed nodes. */
const newCluster = () => `new RedisCluster(null, json_decode('${JSON.stringify(cluster.nodes.map((n) => `${n.host}:${n.port}`))}'))`;

let cluster: RedisClusterSet;
beforeAll(async () => {
  if (available) cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describe.runIf(available)("the PHP package's Publisher on Redis Cluster (phpredis RedisCluster)", () => {
  it("carries the protocol's scripts byte for byte", () => {
    expect(php("echo RealtimeBookings\\PublishScript::CLUSTER_SOURCE;").out).toBe(CLUSTER_PUBLISH_SCRIPT);
    expect(php("echo RealtimeBookings\\PublishScript::SOURCE;").out).toBe(PUBLISH_SCRIPT);
  });

  it("names every key and the channel as the protocol's Cluster names", () => {
    const { out, err } = php(
      "$k = new RealtimeBookings\\RedisKeys('phpc', cluster: true); echo json_encode([$k->channel, $k->history(), $k->globalVersion(), $k->workpointVersion('1'), $k->specialistVersion('sp-3')]);",
    );
    const keys = redisKeys({ prefix: "phpc", cluster: true });
    expect({ err, names: JSON.parse(out) }).toEqual({ err: "", names: [keys.channel, keys.history, keys.globalVersion, keys.workpointVersion("1" as never), keys.specialistVersion("sp-3" as never)] });
  });

  it("publishes with hash-tagged keys and SPUBLISH: a Cluster hub receives the event with its id, and the counters are bumped", async () => {
    const client = createClusterClient({ nodes: cluster.nodes });
    try {
      const broker = ioredisClusterBroker(client, { prefix: "phpc" });
      const rec = recorder();
      await broker.subscribe(rec);
      // Fresh nodes have no script cache: the first publish loads the script after NOSCRIPT, the second runs it by SHA1.
      const { out, err } = php(
        `$c = ${newCluster()}; $p = new RealtimeBookings\\Publisher($c, new RealtimeBookings\\RedisKeys('phpc', cluster: true));` +
          ` $ids = [$p->publish('create', ['id' => 42, 'specialist_id' => 3, 'workpoint_id' => 1]), $p->publish('update', ['id' => 42, 'specialist_id' => 4, 'workpoint_id' => 1], ['specialist_id' => 3])];` +
          ` $v = new RealtimeBookings\\Versions($c, new RealtimeBookings\\RedisKeys('phpc', cluster: true));` +
          ` echo json_encode(['ids' => $ids, 'versions' => [$v->for(['role' => 'specialist', 'specialist_id' => 3]), $v->for(['role' => 'supervisor', 'workpoint_id' => 1]), $v->for(['role' => 'specialist', 'specialist_id' => 9])]]);`,
      );
      expect(err).toBe("");
      const result = JSON.parse(out) as { ids: string[]; versions: number[] };
      expect(result.ids).toEqual([expect.stringMatching(/^\d+-\d+$/), expect.stringMatching(/^\d+-\d+$/)]);
      await rec.waitFor(2);
      expect(JSON.parse(rec.messages[0] as string)).toMatchObject({ id: result.ids[0], type: "create", data: { id: 42 } });
      expect(JSON.parse(rec.messages[1] as string)).toMatchObject({ id: result.ids[1], type: "update", previous: { specialist_id: 3 } });
      const keys = redisKeys({ prefix: "phpc", cluster: true });
      expect(await broker.readVersion(keys.specialistVersion("3" as never))).toBe(2);
      expect(await broker.readVersion(keys.specialistVersion("4" as never))).toBe(1);
      expect(await broker.newestId()).toBe(result.ids[1]);
      // Versions::for reads the Cluster counters of the viewer's own scope.
      expect(result.versions).toEqual([2, 2, 0]);
      await broker.close();
    } finally {
      client.disconnect();
    }
  });

  it("an idempotency key on Cluster: PHP's retry publishes once, and a Node hub retrying the same event with the same key gets PHP's id", async () => {
    const client = createClusterClient({ nodes: cluster.nodes });
    try {
      const broker = ioredisClusterBroker(client, { prefix: "phpi" });
      const rec = recorder();
      await broker.subscribe(rec);
      const { out, err } = php(
        `$c = ${newCluster()}; $p = new RealtimeBookings\\Publisher($c, new RealtimeBookings\\RedisKeys('phpi', cluster: true)); $row = ['id' => 7, 'specialist_id' => 3, 'workpoint_id' => 1];` +
          ` $ids = [$p->publish('create', $row, null, null, 'order-7'), $p->publish('create', $row, null, null, 'order-7')];` +
          ` try { $p->publish('delete', $row, null, null, 'order-7'); $ids[] = 'published'; } catch (RealtimeBookings\\Exception\\InvalidEventException $e) { $ids[] = $e->errorCode; }` +
          ` echo json_encode($ids);`,
      );
      const [first, retry, reused] = JSON.parse(out || "[]") as string[];
      await rec.waitFor(1);
      const message = rec.messages[0] as string;
      const eventJson = `{${message.slice(message.indexOf(",") + 1)}`;
      const keys = redisKeys({ prefix: "phpi", cluster: true });
      const fromNode = await broker.publishIdempotent?.(eventJson, [keys.globalVersion], "order-7");
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect({ err, retry, reused, fromNode, messages: rec.messages.length, version: await broker.readVersion(keys.globalVersion) }).toEqual({
        err: "",
        retry: first,
        reused: "idempotency_key_reused",
        fromNode: { id: first, replayed: true },
        messages: 1,
        version: 1,
      });
      await broker.close();
    } finally {
      client.disconnect();
    }
  });

  it("refuses names that would split the keys or the channel across slots, with a clear exception", () => {
    const refusals = {
      "new RealtimeBookings\\RedisKeys('{phpc}', cluster: true)": /the prefix becomes the hash tag \{\{phpc\}\}; give it without \{ or \}/,
      "new RealtimeBookings\\RedisKeys('phpc', 'phpc:updates', cluster: true)": /the channel must carry the keys' hash tag \{phpc\}/,
      "new RealtimeBookings\\RedisKeys('phpc', '{other}:updates', cluster: true)": /the channel must carry the keys' hash tag \{phpc\}/,
      "new RealtimeBookings\\RedisKeys('phpc')": /on Redis Cluster every key must carry the prefix as its one hash tag: give Cluster names, new RedisKeys\('phpc', cluster: true\)/,
    };
    for (const [keys, message] of Object.entries(refusals)) {
      const { out, err } = php(
        `try { new RealtimeBookings\\Publisher(${newCluster()}, ${keys}); echo "accepted"; } catch (RealtimeBookings\\Exception\\ConfigurationException $e) { echo $e->getMessage(); }`,
      );
      expect({ keys, err, out }).toEqual({ keys, err: "", out: expect.stringMatching(message) });
    }
    // A client that would prefix the names itself is refused too: the hub would not find the keys.
    const { out } = php(
      `$c = ${newCluster()}; $c->setOption(RedisCluster::OPT_PREFIX, 'app:'); try { new RealtimeBookings\\Publisher($c); echo "accepted"; } catch (RealtimeBookings\\Exception\\ConfigurationException $e) { echo $e->getMessage(); }`,
    );
    expect(out).toMatch(/^realtime-bookings: the RedisCluster client has OPT_PREFIX "app:"/);
  });

  it("refuses the legacy bare PUBLISH on Cluster, which no Cluster hub hears", () => {
    const { out } = php(
      `$p = new RealtimeBookings\\Publisher(${newCluster()}); echo $p->keys()->history(), "\\n"; try { $p->publishLegacy('create', ['id' => 1, 'specialist_id' => 1, 'workpoint_id' => 1]); echo "published"; } catch (RealtimeBookings\\Exception\\ConfigurationException $e) { echo $e->getMessage(); }`,
    );
    expect(out).toBe("{bookings}:history\nrealtime-bookings: publishLegacy() is a bare PUBLISH, which no Cluster hub hears (it listens with SSUBSCRIBE): use publish()");
  });
});
