import { CLUSTER_PUBLISH_SCRIPT, PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { type RedisClusterSet, hasRedisSentinel, requireBinary, startRedisCluster } from "@realtime-bookings/test-utils";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClusterClient, ioredisClusterBroker } from "../../src/brokers/ioredis.js";
import { recorder } from "../support/broker-contract.js";

const PHP_SRC = fileURLToPath(new URL("../../../../examples/php/src/RealtimeBookings.php", import.meta.url));
const available = hasRedisSentinel() && requireBinary("php", "apt-get install php-cli php-redis");

/** Runs PHP code with the example's publisher loaded; returns stdout and stderr. */
function php(code: string): { out: string; err: string } {
  const run = spawnSync("php", ["-r", `require ${JSON.stringify(PHP_SRC)}; ${code}`], { encoding: "utf8", timeout: 15_000 });
  return { out: run.stdout, err: run.stderr };
}

let cluster: RedisClusterSet;
beforeAll(async () => {
  if (available) cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

describe.runIf(available)("the PHP publisher on Redis Cluster (phpredis RedisCluster)", () => {
  it("carries the protocol's scripts byte for byte", () => {
    expect(php("echo RealtimeBookings\\Publisher::CLUSTER_PUBLISH_SCRIPT;").out).toBe(CLUSTER_PUBLISH_SCRIPT);
    expect(php("echo RealtimeBookings\\Publisher::PUBLISH_SCRIPT;").out).toBe(PUBLISH_SCRIPT);
  });

  it("publishes with hash-tagged keys and SPUBLISH: a Cluster hub receives the event with its id, and the counters are bumped", async () => {
    const client = createClusterClient({ nodes: cluster.nodes });
    try {
      const broker = ioredisClusterBroker(client, { prefix: "phpc" });
      const rec = recorder();
      await broker.subscribe(rec);
      const seeds = JSON.stringify(cluster.nodes.map((n) => `${n.host}:${n.port}`));
      const { out, err } = php(
        `$c = new RedisCluster(null, json_decode('${seeds}')); $p = new RealtimeBookings\\Publisher($c, 'phpc');` +
          ` echo $p->publish('create', ['id' => 42, 'specialist_id' => 3, 'workpoint_id' => 1]);`,
      );
      expect(err).toBe("");
      expect(out).toMatch(/^\d+-\d+$/);
      await rec.waitFor(1);
      expect(JSON.parse(rec.messages[0] as string)).toMatchObject({ id: out, type: "create", data: { id: 42 } });
      const keys = redisKeys({ prefix: "phpc", cluster: true });
      expect(await broker.readVersion(keys.specialistVersion("3" as never))).toBe(1);
      expect(await broker.newestId()).toBe(out);
      await broker.close();
    } finally {
      client.disconnect();
    }
  });

  it("refuses a prefix or channel that would split the keys across slots", () => {
    const seeds = JSON.stringify(cluster.nodes.map((n) => `${n.host}:${n.port}`));
    for (const args of ["'{phpc}'", "'phpc', 'phpc:updates'"]) {
      const { out } = php(`try { new RealtimeBookings\\Publisher(new RedisCluster(null, json_decode('${seeds}')), ${args}); echo "accepted"; } catch (InvalidArgumentException $e) { echo $e->getMessage(); }`);
      expect(out).toMatch(/hash tag/);
    }
  });
});
