export { requireBinary } from "./binaries.js";
export { freePort } from "./ports.js";
export { type RedisServer, type RedisServerOptions, startRedisServer, hasRedisServer } from "./redis-server.js";
export { type SseReader, openSse, sleep } from "./sse-reader.js";
export { type LedgerEntry, type ResumingReader, resumingReader } from "./resuming-reader.js";
export { type ListeningApp, describeExampleApp } from "./example-suite.js";
export { type RedisProcess, redisCli, waitUntil } from "./redis-process.js";
export { type SentinelSet, hasRedisSentinel, startSentinelSet } from "./redis-sentinel-set.js";
export { type ClusterNodeInfo, type RedisClusterSet, startRedisCluster } from "./redis-cluster-set.js";
