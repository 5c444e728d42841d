export { requireBinary } from "./binaries.js";
export { freePort } from "./ports.js";
export { type RedisServer, type RedisServerOptions, startRedisServer, hasRedisServer } from "./redis-server.js";
export { type SseReader, openSse, sleep } from "./sse-reader.js";
export { type LedgerEntry, type ResumingReader, resumingReader } from "./resuming-reader.js";
export { type ListeningApp, describeExampleApp } from "./example-suite.js";
