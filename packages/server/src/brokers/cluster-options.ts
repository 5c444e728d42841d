import type { RedisBrokerOptions } from "./redis-options.js";

/** Options of the Cluster brokers (`ioredisClusterBroker`, `nodeRedisClusterBroker`). */
export interface ClusterBrokerOptions extends Omit<RedisBrokerOptions, "cluster"> {
  /**
   * How often the subscription checks that it is still on the node serving its slot (after a planned
   * failover or a slot migration the old node stops delivering without closing the connection).
   * @defaultValue 1000
   */
  readonly ownerCheckMs?: number;
}
