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
