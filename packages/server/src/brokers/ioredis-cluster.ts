import { CLUSTER_PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import type { Cluster } from "ioredis";
import type { ClusterBrokerOptions } from "./cluster-options.js";
import { ioredisScript } from "./ioredis-script.js";
import { scriptPublisher } from "./script-publish.js";
import { redisTickets } from "./redis-tickets.js";
import { ioredisShards } from "./ioredis-shards.js";
import { shardedSubscription } from "./shard-subscriber.js";
import type { Broker } from "./types.js";
import { historyReads } from "./history-reads.js";
import { ioredisReads } from "./ioredis-stream.js";

export type { ClusterBrokerOptions } from "./cluster-options.js";

/**
 * A {@link Broker} on an ioredis `Cluster` (Redis ≥ 7.0), for hubs on Redis Cluster.
 *
 * Every key and the channel carry the prefix as their one hash tag (`{bookings}:history`,
 * `{bookings}:updates`): the publish script (`CLUSTER_PUBLISH_SCRIPT` of the protocol, `SPUBLISH`) runs in one
 * slot, and the subscription is a sharded one (`SSUBSCRIBE`) on the master serving that slot. The
 * subscription follows the slot through failovers and migrations and reports `onDown`/`onReady`
 * around each move, so the hub reads back from the history what it missed. The script runs as an
 * ioredis custom command (`defineCommand`), which sends it again to a node that answers `NOSCRIPT`
 * (scripts are not replicated, so a promoted master does not know it yet).
 *
 * The app hands over its own `Cluster` (`createClusterClient` makes one with bounded timeouts); the
 * broker opens one plain connection of its own for the subscription and `close()` closes only that.
 *
 * @param cluster - the app's ioredis `Cluster`
 * @param options - key prefix (without braces: it becomes the hash tag), channel, history length
 * @throws `ProtocolError` `invalid_field` for a prefix holding `{`/`}` or a channel without the hash tag
 * @example
 * ```ts
 * import { createClusterClient, ioredisClusterBroker } from "@realtime-bookings/server/ioredis";
 * const broker = ioredisClusterBroker(createClusterClient({ nodes: [{ host: "10.0.0.1", port: 7000 }] }));
 * ```
 */
export function ioredisClusterBroker(cluster: Cluster, options: ClusterBrokerOptions = {}): Broker {
  const keys = redisKeys({ ...options, cluster: true });
  const subscription = shardedSubscription(ioredisShards(cluster), keys.channel, options.ownerCheckMs);


  return {
    keys,
    kind: "ioredis-cluster",
    ...redisTickets(([command, ...args]) => cluster.call(command as string, ...args)),
    ...scriptPublisher(ioredisScript(cluster, CLUSTER_PUBLISH_SCRIPT, "cluster"), { keys, broker: options }),
    ...subscription,
    ...historyReads(ioredisReads(cluster), keys),
  };
}
