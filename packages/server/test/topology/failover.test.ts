import { redisKeys } from "@realtime-bookings/protocol";
import { type RedisClusterSet, type SentinelSet, hasRedisSentinel, startRedisCluster, startSentinelSet } from "@realtime-bookings/test-utils";
import { Cluster, Redis } from "ioredis";
import { createCluster } from "redis";
import { nodeRedisClusterBroker } from "../../src/brokers/node-redis.js";
import { afterEach, describe, expect, it } from "vitest";
import { createClusterClient, createRedisClient, ioredisBroker, ioredisClusterBroker } from "../../src/brokers/ioredis.js";
import { recordFigures } from "../../../../test/reliability/support/ledger.js";
import { type Topology, runFailover } from "./support/failover-run.js";

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop().catch(() => undefined);
});

function sentinelTopology(set: SentinelSet): Topology {
  return {
    hubBroker(prefix) {
      const client = createRedisClient({ sentinels: set.sentinels, name: set.name });
      return { broker: ioredisBroker(client, { prefix }), close: () => client.disconnect() };
    },
    publisher(prefix) {
      const client = new Redis({
        sentinels: [...set.sentinels], name: set.name, failoverDetector: true,
        enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 1_000, retryStrategy: () => 50,
      });
      client.on("error", () => {});
      return { client, broker: ioredisBroker(client, { prefix }), close: () => client.disconnect() };
    },
    async crash() {
      await set.waitForSync(); // else Redis itself may lose an acknowledged write (asynchronous replication)
      await set.killMaster();
    },
    async planned() {
      // SENTINEL FAILOVER is not coordinated: the old master stays writable until a sentinel demotes it
      // (~1 s here), and what it takes meanwhile is lost. Pausing writes first makes it lossless, as
      // CLUSTER FAILOVER does by itself; paused publishes time out and are retried on the new master.
      await set.cli("CLIENT", "PAUSE", "5000", "WRITE");
      await set.waitForSync();
      await set.failover();
    },
  };
}

function clusterTopology(set: RedisClusterSet): Topology {
  return {
    hubBroker(prefix) {
      const client = createClusterClient({ nodes: set.nodes });
      return { broker: ioredisClusterBroker(client, { prefix }), close: () => client.disconnect() };
    },
    publisher(prefix) {
      const client = new Cluster([...set.nodes], {
        enableOfflineQueue: false, retryDelayOnClusterDown: 100, retryDelayOnFailover: 100,
        redisOptions: { maxRetriesPerRequest: 0, commandTimeout: 1_000 },
      });
      client.on("error", () => {});
      return { client, broker: ioredisClusterBroker(client, { prefix }), close: () => client.disconnect() };
    },
    async crash(prefix) {
      const port = await set.masterOf(redisKeys({ prefix, cluster: true }).history);
      await set.waitForSync(port);
      await set.kill(port);
    },
    async planned(prefix) {
      await set.failover(redisKeys({ prefix, cluster: true }).history);
    },
  };
}


/** The Cluster topology with the hubs on node-redis (the publisher stays on ioredis). */
function nodeRedisClusterTopology(set: RedisClusterSet): Topology {
  return {
    ...clusterTopology(set),
    async hubBroker(prefix) {
      const client = createCluster({ rootNodes: set.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
      client.on("error", () => {});
      await client.connect();
      return { broker: nodeRedisClusterBroker(client, { prefix }), close: () => client.destroy() };
    },
  };
}

describe.runIf(hasRedisSentinel())("failover with two hubs, 14 viewers and a publisher at ~50 events/s", () => {
  for (const [name, start] of [
    ["Sentinel", async () => { const s = await startSentinelSet(); stops.push(() => s.stop()); return sentinelTopology(s); }],
    // Not "Sentinel (node-redis hubs)": under load its hub intermittently stops delivering after a
    // SIGKILLed master (about 300 of 1,312 deliveries missing, no resync; seen twice in full runs, never
    // alone). A known defect of nodeRedisSentinelBroker, open in issue 12; the broker contract suite
    // still runs on it.
    ["Cluster", async () => { const s = await startRedisCluster(); stops.push(() => s.stop()); return clusterTopology(s); }],
    ["Cluster (node-redis hubs)", async () => { const s = await startRedisCluster(); stops.push(() => s.stop()); return nodeRedisClusterTopology(s); }],
  ] as const) {
    it(`${name}: SIGKILL of the master holding the keys mid-way: every viewer gets every event of its scope exactly once, in order`, async () => {
      const figures = await runFailover(await start(), "crash");
      recordFigures(`failover-${name.toLowerCase().replace(/\W+/g, "-")}-crash`, figures);
      expect(figures.ledger).toEqual({ ...figures.ledger, received: figures.ledger.expected, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0 });
      expect(figures.publishFailures).toBeGreaterThan(0); // the outage really happened while publishing
    }, 120_000);

    it(`${name}: a planned failover loses nothing and causes no resync`, async () => {
      const figures = await runFailover(await start(), "planned");
      recordFigures(`failover-${name.toLowerCase().replace(/\W+/g, "-")}-planned`, figures);
      expect(figures.ledger).toEqual({ ...figures.ledger, received: figures.ledger.expected, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 });
    }, 120_000);
  }
});

describe.runIf(hasRedisSentinel())("an uncoordinated failover that loses acknowledged writes", () => {
  // What Redis drops here (writes the old master acknowledged but never replicated) is usually
  // announced by a resync, not always: the feed's 10 s "missing id near a reconnection" rule misses
  // some timings (seen in 1 of ~6 runs under load). That gap is open in issue 12; this test pins what
  // does hold every time and records how much was lost.
  it("Sentinel: a bare SENTINEL FAILOVER under load: Redis drops what the old master took meanwhile; nothing is doubled, reordered or shown to a viewer outside its scope", async () => {
    const set = await startSentinelSet();
    stops.push(() => set.stop());
    const figures = await runFailover({ ...sentinelTopology(set), planned: async () => void (await set.failover()) }, "planned");
    recordFigures("failover-sentinel-unpaused", figures);
    expect(figures.ledger).toEqual({ ...figures.ledger, duplicates: 0, outOfOrder: 0, forbidden: 0 });
  }, 120_000);
});
