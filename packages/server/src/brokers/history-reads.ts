import type { EventId, RedisKeys } from "@realtime-bookings/protocol";
import { historyPage } from "./history-page.js";
import { toVersion } from "./redis-options.js";
import type { Broker, HistoryEntry } from "./types.js";

/**
 * The reads a Redis broker makes, on whichever client: each adapter says how its client spells them
 * (`xrange` and an array reply on ioredis, `xRange` and objects on node-redis, a routed `PING` on a
 * node-redis Cluster). @internal
 */
export interface RedisReads {
  /** `GET key`. */
  get(key: string): Promise<string | null | undefined>;
  /** `XRANGE key start end COUNT count`: our entries, oldest first. */
  range(key: string, start: string, end: string, count: number): Promise<HistoryEntry[]>;
  /** `XREVRANGE key end start COUNT count`: our entries, newest first. */
  revRange(key: string, end: string, start: string, count: number): Promise<HistoryEntry[]>;
  /** `PING`. */
  ping(): Promise<unknown>;
}

/**
 * The broker operations that only read: versions, the history for resumes and recovery, the newest
 * id, the recent entries a starting hub seeds from, and the health ping. One implementation for every
 * Redis adapter, so their answers cannot drift apart.
 *
 * @internal
 */
export function historyReads(reads: RedisReads, keys: RedisKeys): Pick<Broker, "readVersion" | "readHistory" | "newestId" | "readRecent" | "ping"> {
  return {
    async readVersion(key) {
      return toVersion(await reads.get(key));
    },
    async readHistory(after, limit) {
      const [range, oldest] = await Promise.all([reads.range(keys.history, `(${after}`, "+", limit + 1), reads.range(keys.history, "-", "+", 1)]);
      return historyPage(after, range, oldest[0]?.id, limit);
    },
    async newestId(): Promise<EventId | undefined> {
      return (await reads.revRange(keys.history, "+", "-", 1))[0]?.id;
    },
    async readRecent(limit) {
      return (await reads.revRange(keys.history, "+", "-", limit)).reverse();
    },
    async ping() {
      await reads.ping();
    },
  };
}
