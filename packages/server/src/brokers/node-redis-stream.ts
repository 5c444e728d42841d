import type { RedisReads } from "./history-reads.js";
import { toEntry } from "./history-page.js";
import type { HistoryEntry } from "./types.js";

/** A stream range as node-redis returns it. @internal */
export type StreamEntries = Array<{ id: string; message: Record<string, string> } | null>;

/** The entries of a stream range that are ours. @internal */
export const entriesOf = (reply: StreamEntries): HistoryEntry[] =>
  reply.flatMap((item) => {
    const entry = item ? toEntry(item.id, item.message["event"]) : undefined;
    return entry ? [entry] : [];
  });

/** What {@link nodeRedisReads} calls: a node-redis client or cluster client (and a Sentinel client). @internal */
export interface NodeRedisReading {
  get(key: string): Promise<string | null>;
  xRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<StreamEntries>;
  xRevRange(key: string, end: string, start: string, options: { COUNT: number }): Promise<StreamEntries>;
}

/** The history reads ({@link RedisReads}) on a node-redis client; `ping` as that client sends it. @internal */
export const nodeRedisReads = (client: NodeRedisReading, ping: () => Promise<unknown>): RedisReads => ({
  get: (key) => client.get(key),
  range: async (key, start, end, count) => entriesOf(await client.xRange(key, start, end, { COUNT: count })),
  revRange: async (key, end, start, count) => entriesOf(await client.xRevRange(key, end, start, { COUNT: count })),
  ping,
});
