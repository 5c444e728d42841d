import type { Cluster, Redis } from "ioredis";
import type { RedisReads } from "./history-reads.js";
import { toEntry } from "./history-page.js";
import type { HistoryEntry } from "./types.js";

/** A stream range as ioredis returns it. @internal */
export type StreamReply = Array<[id: string, fields: string[]]>;

/** The entries of a stream range that are ours. @internal */
export const entriesOf = (reply: StreamReply): HistoryEntry[] =>
  reply.flatMap(([id, fields]) => {
    const at = fields.indexOf("event");
    const entry = toEntry(id, at >= 0 ? fields[at + 1] : undefined);
    return entry ? [entry] : [];
  });

/** The history reads ({@link RedisReads}) on an ioredis `Redis` or `Cluster`. @internal */
export const ioredisReads = (client: Redis | Cluster): RedisReads => ({
  get: (key) => client.get(key),
  range: async (key, start, end, count) => entriesOf((await client.xrange(key, start, end, "COUNT", count)) as StreamReply),
  revRange: async (key, end, start, count) => entriesOf((await client.xrevrange(key, end, start, "COUNT", count)) as StreamReply),
  ping: () => client.ping(),
});
