import { CLUSTER_PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { type RedisClusterSet, type SentinelSet, hasRedisSentinel, redisCli, startRedisCluster, startRedisServer, startSentinelSet } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { createCluster, createSentinel } from "redis";
import { nodeRedisClusterBroker, nodeRedisSentinelBroker } from "../../src/brokers/node-redis.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clusterSlotOf } from "../../src/brokers/cluster-slot.js";
import {
  checkClusterMode,
  checkClusterNodes,
  checkSentinelMaster,
  createClusterClient,
  createRedisClient,
  ioredisBroker,
  ioredisClusterBroker,
  parseAddressList,
} from "../../src/brokers/ioredis.js";
import { brokerContract, event, recorder } from "../support/broker-contract.js";
import type { BrokerKit } from "../support/brokers.js";
import { uniquePrefix } from "../support/brokers.js";

const available = hasRedisSentinel();
let sentinel: SentinelSet;
let cluster: RedisClusterSet;
const closers: Array<() => unknown> = [];

beforeAll(async () => {
  if (!available) return;
  [sentinel, cluster] = await Promise.all([startSentinelSet(), startRedisCluster()]);
}, 60_000);
afterAll(async () => {
  for (const close of closers.splice(0)) await Promise.resolve(close()).catch(() => undefined);
  await Promise.all([sentinel?.stop(), cluster?.stop()]);
});

const sentinelKit: BrokerKit = {
  name: "ioredis on Sentinel",
  redis: true,
  async create(options) {
    const client = createRedisClient({ sentinels: sentinel.sentinels, name: sentinel.name });
    closers.push(() => client.disconnect());
    return ioredisBroker(client, options);
  },
  async cleanup() {},
};
const clusterKit: BrokerKit = {
  name: "ioredis on Cluster",
  redis: true,
  async create(options) {
    const client = createClusterClient({ nodes: cluster.nodes });
    closers.push(() => client.disconnect());
    return ioredisClusterBroker(client, options);
  },
  async cleanup() {},
};

const nodeRedisClusterKit: BrokerKit = {
  name: "node-redis on Cluster",
  redis: true,
  async create(options) {
    const client = createCluster({ rootNodes: cluster.nodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
    client.on("error", () => {});
    await client.connect();
    closers.push(() => client.destroy());
    return nodeRedisClusterBroker(client, options);
  },
  async cleanup() {},
};

const nodeRedisSentinelKit: BrokerKit = {
  name: "node-redis on Sentinel",
  redis: true,
  async create(options) {
    const client = createSentinel({ name: sentinel.name, sentinelRootNodes: [...sentinel.sentinels] });
    client.on("error", () => {});
    await client.connect();
    closers.push(() => client.destroy());
    return nodeRedisSentinelBroker(client, options);
  },
  async cleanup() {},
};

describe.runIf(available)("Redis topologies", () => {
  brokerContract([sentinelKit, nodeRedisSentinelKit, clusterKit, nodeRedisClusterKit]);

  it("names the master names the sentinels know when given another", async () => {
    await expect(checkSentinelMaster({ sentinels: sentinel.sentinels, name: sentinel.name })).resolves.toEqual({ host: "127.0.0.1", port: await sentinel.masterPort() });
    await expect(checkSentinelMaster({ sentinels: sentinel.sentinels, name: "bookngs" })).rejects.toThrowError(
      expect.objectContaining({ code: "invalid_options", message: expect.stringMatching(/no master named "bookngs"; they monitor: mymaster/) }),
    );
    await expect(checkSentinelMaster({ sentinels: [{ host: "127.0.0.1", port: 1 }], name: "x", timeout: 0.3 })).rejects.toMatchObject({ code: "broker_error" });
  });

  it("refuses a Cluster node given as a single Redis, and a single Redis given as a cluster", async () => {
    const single = await startRedisServer();
    closers.push(() => single.stop());
    const toCluster = new Redis({ port: cluster.nodes[0]?.port ?? 0, lazyConnect: true });
    closers.push(() => toCluster.disconnect());
    await expect(checkClusterMode(toCluster, "single")).rejects.toThrowError(expect.objectContaining({ code: "invalid_options", message: expect.stringMatching(/is a Cluster node/) }));
    await expect(checkClusterNodes({ nodes: [{ host: "127.0.0.1", port: single.port }] })).rejects.toThrowError(
      expect.objectContaining({ code: "invalid_options", message: expect.stringMatching(/cluster support disabled/) }),
    );
    await expect(checkClusterNodes({ nodes: cluster.nodes })).resolves.toBeUndefined();
    const wrong = createClusterClient({ nodes: [{ host: "127.0.0.1", port: single.port }], timeout: 1 });
    closers.push(() => wrong.disconnect());
    await expect(ioredisClusterBroker(wrong, { prefix: "x" }).subscribe(recorder())).rejects.toThrowError(
      expect.objectContaining({ code: "invalid_options", message: expect.stringMatching(/cluster support disabled/) }),
    );
    expect(() => parseAddressList("127.0.0.1:7000,nope", "--cluster")).toThrowError(/"nope" is not host:port/);
    expect(parseAddressList("127.0.0.1:7000, [::1]:7001", "--cluster")).toEqual([{ host: "127.0.0.1", port: 7000 }, { host: "::1", port: 7001 }]);
  });

  it("computes the slot of a key as Redis does", async () => {
    for (const name of ["{bookings}:updates", "plain", "tenant-a", "{t1x2}:history", "{}x", "é{ü}"]) {
      expect(clusterSlotOf(name)).toBe(Number(await cluster.cli("CLUSTER", "KEYSLOT", name)));
    }
  });

  it("a Cluster publisher using the protocol's script (SPUBLISH) reaches the hub; a channel of another slot is refused before anything is written", async () => {
    const prefix = uniquePrefix();
    const client = createClusterClient({ nodes: cluster.nodes });
    closers.push(() => client.disconnect());
    const broker = ioredisClusterBroker(client, { prefix });
    const rec = recorder();
    await broker.subscribe(rec);
    const keys = redisKeys({ prefix, cluster: true });
    const port = await cluster.masterOf(keys.history);
    const id = await redisCli(port, "EVAL", CLUSTER_PUBLISH_SCRIPT, "2", keys.history, keys.globalVersion, keys.channel, "1000", event(7));
    await rec.waitFor(1);
    expect(JSON.parse(rec.messages[0] as string)).toEqual({ id, ...JSON.parse(event(7)) });
    expect(await redisCli(port, "EVAL", CLUSTER_PUBLISH_SCRIPT, "1", keys.history, `${prefix}:updates`, "1000", event(8))).toMatch(/hash tag/);
    expect(await broker.newestId()).toBe(id);
    expect(() => ioredisClusterBroker(client, { prefix: "{bookings}" })).toThrowError(expect.objectContaining({ field: "prefix" }));
    await broker.close();
  });
});
