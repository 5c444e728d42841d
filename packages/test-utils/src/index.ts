export { requireBinary } from "./binaries.js";
export { freePort } from "./ports.js";
export { type RedisServer, startRedisServer, hasRedisServer } from "./redis-server.js";
export { type SseReader, openSse, sleep } from "./sse-reader.js";
