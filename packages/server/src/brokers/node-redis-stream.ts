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
