// The `@realtime-bookings/server/node-redis` entry point: the brokers on node-redis (`redis` v5) for
// one Redis, a Sentinel set and a Cluster. Each lives in a file of its own.
export { type NodeRedisClient, type NodeRedisSubscriber, nodeRedisBroker } from "./node-redis-broker.js";
export type { RedisBrokerOptions } from "./redis-options.js";
export { type NodeRedisClusterClient, type NodeRedisNodeClient, type NodeRedisShardSubscriber, nodeRedisClusterBroker } from "./node-redis-cluster.js";
export type { ClusterBrokerOptions } from "./cluster-options.js";
export { type NodeRedisSentinelClient, type SentinelMessageListener, nodeRedisSentinelBroker } from "./node-redis-sentinel.js";
