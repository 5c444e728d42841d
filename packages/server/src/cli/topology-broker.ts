import { ioredisBroker } from "../brokers/ioredis.js";
import { ioredisClusterBroker } from "../brokers/ioredis-cluster.js";
import type { RedisBrokerOptions } from "../brokers/redis-options.js";
import { checkClusterNodes, checkSentinelMaster, createClusterClient, createSentinelClient } from "../brokers/topology.js";
import type { Broker } from "../brokers/types.js";
import { HubError } from "../errors.js";
import { RunError, UsageError } from "./args.js";
import type { Closable } from "./redis.js";
import type { Topology } from "./serve-config.js";

/**
 * The broker on a Redis Sentinel set or a Redis Cluster, after the start-up checks that turn a wrong
 * topology into a clear error: a master name the sentinels do not know, seeds that are not Cluster
 * nodes (a usage mistake, exit 2); sentinels or nodes that do not answer (exit 1).
 *
 * @internal
 */
export async function topologyBroker(topology: Topology, keyOptions: RedisBrokerOptions, timeoutSec: number): Promise<{ client: Closable; broker: Broker }> {
  try {
    if (topology.kind === "sentinel") {
      const settings = { ...topology.settings, timeout: timeoutSec };
      await checkSentinelMaster(settings);
      const client = createSentinelClient(settings);
      client.on("error", () => {}); // outages show in /healthz; the client follows the master by itself
      return { client, broker: ioredisBroker(client, keyOptions) };
    }
    const settings = { ...topology.settings, timeout: timeoutSec };
    await checkClusterNodes(settings);
    const client = createClusterClient(settings);
    client.on("error", () => {});
    return { client, broker: ioredisClusterBroker(client, keyOptions) };
  } catch (error) {
    if (error instanceof HubError && error.code === "invalid_options") throw new UsageError(error.message);
    throw new RunError(`cannot reach the Redis ${topology.kind} (${topology.shown}): ${(error as Error).message}`);
  }
}
