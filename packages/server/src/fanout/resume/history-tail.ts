import { type EventId, type EventScope, NO_EVENT_YET, compareEventIds } from "@realtime-bookings/protocol";
import type { Frame } from "../frames.js";
import { withEventId } from "../../brokers/with-event-id.js";
import type { ReplayEvent, ReplayResult } from "./replay.js";

/** One event of the recent history, parsed and framed once. @internal */
export interface TailEntry extends ReplayEvent {
  readonly id: EventId;
  readonly scope: EventScope;
  readonly frame: Frame;
  /** The entry's text in the history: a channel message claiming this id must be its message word for word. */
  readonly json: string;
}

/**
 * How many bytes of frames and entry texts the tail keeps at most, whatever `capacity` says: large
 * events make it shorter (older resumes then read Redis), never larger.
 */
export const MAX_TAIL_BYTES = 4 * 1024 * 1024;

/**
 * The newest events of the history, as the hub's feed read them from Redis, in id order and without
 * holes: every history entry newer than {@link HistoryTail.from} is here. Resumes inside that window
 * are served from memory (no Redis read, nothing parsed again); the feed checks channel messages that
 * claim an id it already delivered against it.
 *
 * Bounded: it keeps the `capacity` newest entries, so memory is flat whatever is published.
 *
 * @internal
 */
export class HistoryTail {
  /** Entries from `head` on are held; the slots before it are emptied and cut off in one go (no shift per append). */
  private entries: Array<TailEntry | undefined> = [];
  private head = 0;
  private start: EventId | undefined;
  private bytes = 0;

  /**
   * @param capacity - how many entries to keep: at least the most one replay may carry
   * @param maxBytes - how many bytes of frames to keep
   */
  constructor(
    private readonly capacity: number,
    private readonly maxBytes = MAX_TAIL_BYTES,
  ) {}

  /** The id after which the tail holds every entry; `undefined` while unknown (nothing is served). */
  get from(): EventId | undefined {
    return this.start;
  }

  /** Empties the tail: from now on it holds every entry newer than `from` (unknown: `undefined`). */
  reset(from: EventId | undefined): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
    this.start = from;
  }

  /** Appends the next entry of the history (newer than every entry held). */
  append(entry: TailEntry): void {
    if (this.start === undefined) return;
    this.entries.push(entry);
    this.bytes += sizeOf(entry);
    while (this.entries.length - this.head > this.capacity || (this.bytes > this.maxBytes && this.head < this.entries.length)) {
      const dropped = this.entries[this.head] as TailEntry;
      this.entries[this.head++] = undefined;
      this.bytes -= sizeOf(dropped);
      this.start = dropped.id;
    }
    if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Whether a channel message claiming `id` is the history's own entry: `true` when the tail holds that
   * id with exactly that text, `false` when it does not (a forged id or a forged body), `undefined` when
   * the id is older than the tail and cannot be checked.
   */
  verify(id: EventId, text: string): boolean | undefined {
    if (this.start === undefined || compareEventIds(id, this.start) <= 0) return undefined;
    const at = this.firstAfter(id, true);
    const entry = this.entries[at];
    if (entry === undefined || entry.id !== id) return false;
    return text === withEventId(id, entry.json);
  }

  /**
   * What a connection resuming after `after` gets from memory, or `undefined` when `after` is older
   * than the tail (the history in Redis must be read).
   *
   * @param limit - the most events one replay may carry; more means resync
   */
  replayAfter(after: EventId, limit: number): ReplayResult | undefined {
    if (this.start === undefined || compareEventIds(after, this.start) < 0) return undefined;
    const events = this.entries.slice(this.firstAfter(after, false)) as TailEntry[];
    // More than a replay may carry; or `0-0` (a scope with no event) when events exist: which of them
    // the page already shows cannot be told, so the honest answer is a reload, as from Redis.
    if (events.length > limit || (after === NO_EVENT_YET && events.length > 0)) return { status: "resync", reason: "history_exceeded" };
    // With nothing newer here, the client is at (or ahead of) this hub: live frames up to its id are old.
    return { status: "ok", events, lastId: events.at(-1)?.id ?? after };
  }

  /** Binary search: the index of the first entry newer than `id` (or equal to it, when `inclusive`). */
  private firstAfter(id: EventId, inclusive: boolean): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const order = compareEventIds((this.entries[mid] as TailEntry).id, id);
      if (order < 0 || (order === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** What an entry costs the tail: its frame's bytes and its text (UTF-16 code units, about bytes for JSON). */
const sizeOf = (entry: TailEntry): number => entry.frame.bytes.byteLength + entry.json.length;
