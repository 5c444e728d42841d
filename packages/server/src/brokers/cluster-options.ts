import { CLUSTER_PUBLISH_SCRIPT } from "@realtime-bookings/protocol";
import { createHash } from "node:crypto";
import type { RedisBrokerOptions } from "./redis-options.js";

/** The SHA1 of {@link CLUSTER_PUBLISH_SCRIPT}, for `EVALSHA`. @internal */
export const CLUSTER_PUBLISH_SCRIPT_SHA = createHash("sha1").update(CLUSTER_PUBLISH_SCRIPT).digest("hex");

/** Options of the Cluster brokers (`ioredisClusterBroker`, `nodeRedisClusterBroker`). */
export interface ClusterBrokerOptions extends Omit<RedisBrokerOptions, "cluster"> {
  /**
   * How often the subscription checks that it is still on the node serving its slot (after a planned
   * failover or a slot migration the old node stops delivering without closing the connection).
   * @defaultValue 1000
   */
  readonly ownerCheckMs?: number;
}
