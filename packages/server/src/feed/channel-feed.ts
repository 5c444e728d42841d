// About 320 lines, one state machine: the waiting doorbells, the history reads that settle them, and
// the recovery after a reconnection or a failover share the feed's cursor and queue; split in two, each
// half would have to reach into the other's private state.
import {
  type ChannelMessage,
  type EventId,
  type EventScope,
  type JsonLimits,
  NO_EVENT_YET,
  ProtocolError,
  type ResyncReason,
  compareEventIds,
  safeParseChannelMessage,
} from "@realtime-bookings/protocol";
import type { Broker, BrokerListener, HistoryEntry, HistoryPage } from "../brokers/types.js";
import { type Frame, bookingFrame } from "../fanout/frames.js";
import { readHistoryEntry, resyncReasonOf } from "../fanout/resume/history-entry.js";
import { HistoryTail } from "../fanout/resume/history-tail.js";
import { withEventId } from "../brokers/with-event-id.js";

/** A missing id this close to a reconnection is a failover's lost write, not a forgery. */
const FAILOVER_WINDOW_MS = 10_000;
/** At most this many channel messages wait for the history read that confirms them. */
const MAX_WAITING = 10_000;
/** Delays before retrying a failed history read while the subscription is up (the last repeats). */
const RETRY_DELAYS_MS = [100, 300, 900, 2_000] as const;

/** Where the feed delivers: the fan-out. @internal */
export interface FeedSink {
  /**
   * A valid, new event to fan out, framed once; `recovered` when the hub had missed its message (it was
   * read back from the history after a reconnection).
   */
  deliver(frame: Frame, scope: EventScope, recovered: boolean): void;
  /** The feed may have missed events it cannot recover: every connection must resync. */
  resyncAll(reason: ResyncReason): void;
  /** An event from before this hub started: no connection gets it, but it moves the resume points. */
  remember(id: EventId, scope: EventScope): void;
}

/** Who hears about what the feed refused and about the subscription's state. @internal */
export interface FeedObserver {
  /** A message failed validation, or claimed an id the history does not hold. */
  rejected(error: ProtocolError): void;
  /** The subscription went down or came back. */
  brokerState(up: boolean, error?: unknown): void;
}

/** A channel message waiting for the history read that confirms it. */
type Waiting = { readonly seq: number; readonly text: string; readonly message: ChannelMessage };

/** The greatest id below `id` (ids have at most 15 digits a part), so a read after it starts at `id`. */
function idBefore(id: EventId): EventId {
  const [ms = 0, seq = 0] = id.split("-").map(Number);
  if (seq > 0) return `${ms}-${seq - 1}` as EventId;
  return ms > 0 ? (`${ms - 1}-999999999999999` as EventId) : NO_EVENT_YET;
}

const forged = (id: EventId): ProtocolError =>
  new ProtocolError("invalid_field", `the message claims history id ${id}, which the history does not hold with this event`, "id");

/**
 * The one subscription of a hub process. The history stream is the truth: a channel message is only a
 * doorbell. A message with an id is delivered from the history entry that a read of the history
 * returns after it arrived, so an id nobody stored (a forged far-future id, say) never moves a cursor
 * and never reaches a viewer; it is rejected and counted. A message without an id (a legacy bare
 * `PUBLISH`) is delivered live, in arrival order. After every resubscription the feed reads what it
 * missed from the same place. Connections see each event once and in order, or a resync.
 *
 * @internal
 */
export class ChannelFeed implements BrokerListener {
  /** The recent history, framed, for resumes served from memory. */
  readonly tail: HistoryTail;
  /** The newest history id delivered (or the start point): the next read starts after it. */
  private lastSeen: EventId | undefined;
  private waiting: Waiting[] = [];
  private arrived = 0;
  private reading = false;
  private readAgain = false;
  private catchingUp = false;
  private started = false;
  private up = false;
  private failures = 0;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** When the subscription last came back, and when a message last claimed an id the history lacks. */
  private reconnectedAt = 0;
  private missingAt = 0;

  constructor(
    private readonly broker: Broker,
    private readonly sink: FeedSink,
    private readonly observer: FeedObserver,
    private readonly limits: JsonLimits,
    private readonly replayLimit: number,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
  ) {
    this.tail = new HistoryTail(replayLimit);
  }

  /**
   * Subscribes and, at the same time, notes where the history stands (seeding the tail). Resolves
   * when both are done. Messages that arrive meanwhile wait; what was stored before the start point
   * is in the tail (no connection exists yet to miss it), and the first read after it catches up.
   */
  async start(): Promise<void> {
    this.reading = true;
    const established = this.establishStart()
      .catch(() => {}) // Redis is not there yet: the first read notes the start point
      .finally(() => {
        this.reading = false;
        if (this.readAgain || this.waiting.length > 0) void this.pump();
        else this.wakeIdle();
      });
    await Promise.all([this.broker.subscribe(this), established]);
  }

  /**
   * Resolves once the messages that reached the feed so far are settled (delivered or rejected), or
   * their read failed: a connection that registers after it finds in {@link ChannelFeed.tail}
   * everything the hub was told about, and gets the rest live.
   */
  idle(): Promise<void> {
    if (!this.reading && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying reads. The broker's subscription is closed by its owner. */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.wakeIdle();
  }

  onMessage(text: string): void {
    const parsed = safeParseChannelMessage(text, this.limits);
    if (!parsed.ok) return this.observer.rejected(parsed.error);
    const message = parsed.value;
    const idle = this.waiting.length === 0 && !this.catchingUp;
    if (message.id === undefined && idle) return this.deliverLive(message);
    if (message.id !== undefined && idle && this.lastSeen !== undefined && compareEventIds(message.id, this.lastSeen) <= 0) {
      // Already delivered from the history (the read got there first), or a forgery.
      if (this.tail.verify(message.id, text) === false) this.observer.rejected(forged(message.id));
      return;
    }
    if (this.waiting.length >= MAX_WAITING) {
      // Messages with ids are in the history: the reads in progress deliver them anyway.
      this.readAgain = true;
      return;
    }
    this.waiting.push({ seq: this.arrived++, text, message });
    void this.pump();
  }

  onReady(): void {
    this.up = true;
    this.observer.brokerState(true);
    if (this.started) this.reconnectedAt = Date.now();
    // The first subscribe may have raced a publish; every later one follows an outage: read back.
    this.catchingUp = this.started;
    this.started = true;
    void this.pump();
  }

  onDown(error?: unknown): void {
    this.up = false;
    this.observer.brokerState(false, error);
  }

  /**
   * Notes where the history stands. With a broker that can read the recent history, the tail and the
   * resume points are seeded from it (one bounded read), so a viewer that connects after a restart
   * gets a real resume point and a client that resumes after a restart replays from memory.
   */
  private async establishStart(): Promise<void> {
    const { broker } = this;
    const recent = broker.readRecent ? await this.guard(() => (broker.readRecent as NonNullable<Broker["readRecent"]>)(this.replayLimit + 1)) : undefined;
    const newest = recent ? recent.at(-1)?.id : await this.guard(() => broker.newestId());
    if (this.lastSeen !== undefined) return;
    // Noted late (Redis was away at start), messages may already wait: the start point stays before
    // the oldest of them, so the read that follows delivers them instead of taking them as known.
    const waitingFrom = this.waiting.find((w) => w.message.id !== undefined)?.message.id;
    const all = recent ?? [];
    const cut = waitingFrom === undefined ? all.length : all.findIndex((e) => compareEventIds(e.id, waitingFrom) >= 0);
    const entries = cut < 0 ? all : all.slice(0, cut);
    // The tail holds every entry after its start: the oldest entry read is that start (older ones may
    // have been trimmed away), unless the history is empty.
    this.tail.reset(entries[0]?.id ?? (entries.length < all.length ? NO_EVENT_YET : (newest ?? NO_EVENT_YET)));
    for (const [at, entry] of entries.entries()) {
      const read = readHistoryEntry(entry, this.limits);
      if (read instanceof ProtocolError) continue;
      if (at > 0) this.tail.append({ id: read.id, scope: read.scope, frame: read.frame, json: entry.json });
      this.sink.remember(read.id, read.scope);
    }
    this.lastSeen = entries.length < all.length ? (entries.at(-1)?.id ?? NO_EVENT_YET) : (newest ?? NO_EVENT_YET);
  }


  /** Reads the history after the last delivered id until every waiting message is settled. */
  private async pump(): Promise<void> {
    if (this.reading || this.closed) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    try {
      if (this.catchingUp) await this.checkRollback();
      do {
        this.readAgain = false;
        if (this.lastSeen === undefined) await this.establishStart();
        const startedAt = this.arrived;
        const after = this.lastSeen ?? NO_EVENT_YET;
        const page = await this.guard(() => this.broker.readHistory(after, this.replayLimit));
        this.failures = 0;
        this.apply(page, after, startedAt);
      } while (this.readAgain && !this.closed);
      this.catchingUp = false;
    } catch {
      this.failed();
    } finally {
      this.reading = false;
      this.wakeIdle();
    }
  }

  /**
   * A message claimed an id the history does not hold. Alone, that is a forgery: rejected and counted,
   * nothing else. Close to a reconnection it is what a failover looks like when the old master took a
   * write it never replicated: the event was acknowledged and is gone, so every connection resyncs.
   */
  private missing(id: EventId): void {
    this.observer.rejected(forged(id));
    this.missingAt = Date.now();
    if (this.missingAt - this.reconnectedAt < FAILOVER_WINDOW_MS) this.announceLoss();
  }

  private announceLoss(): void {
    this.missingAt = 0;
    this.reconnectedAt = 0;
    this.sink.resyncAll("history_lost");
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /**
   * After a resubscription: when the last event delivered is no longer in the history, the history
   * this hub followed was dropped by a failover (replication is asynchronous: the old master took
   * writes it never passed on). The new master's own events may then carry ids at or below the last
   * one delivered, which a read after it would never return: every connection resyncs and reading
   * restarts from the history's newest entry. (A history trimmed past it is a gap the next read finds.)
   */
  private async checkRollback(): Promise<void> {
    const last = this.lastSeen;
    if (last === undefined || last === NO_EVENT_YET) return;
    if (Date.now() - this.missingAt < FAILOVER_WINDOW_MS) return this.announceLoss();
    const page = await this.guard(() => this.broker.readHistory(idBefore(last), 1));
    if (page.status !== "ok" || page.entries[0]?.id === last || this.lastSeen !== last) return;
    const newest = await this.guard(() => this.broker.newestId());
    if (this.lastSeen === last) this.restart("history_lost", newest ?? NO_EVENT_YET);
  }

  private apply(page: HistoryPage, after: EventId, startedAt: number): void {
    const reason = resyncReasonOf(page, after);
    // Past the history: start again from where it stands; history lost: it starts again empty.
    if (reason) return this.restart(reason, reason === "history_lost" ? NO_EVENT_YET : undefined);
    if (page.status === "ok") this.settle(page.entries, page.truncated, startedAt);
    else this.settle([], false, startedAt);
  }

  /**
   * Delivers the entries read, in history order, interleaved with the waiting messages in arrival
   * order: a message with an id is settled by its entry (or rejected when the read that followed its
   * arrival does not hold it); one without an id is delivered at its place.
   */
  private settle(entries: readonly HistoryEntry[], truncated: boolean, startedAt: number): void {
    let next = 0;
    while (this.waiting.length > 0) {
      const waiting = this.waiting[0] as Waiting;
      const { seq, text, message } = waiting;
      if (message.id !== undefined) {
        let rang = false;
        while (next < entries.length && compareEventIds((entries[next] as HistoryEntry).id, message.id) <= 0) {
          const entry = entries[next++] as HistoryEntry;
          rang = this.deliverEntry(entry, entry.id === message.id ? waiting : undefined) || rang;
        }
        const known = this.lastSeen !== undefined && compareEventIds(message.id, this.lastSeen) <= 0;
        if (!known && (truncated || seq >= startedAt)) break; // a later read settles it
        if (!known) this.missing(message.id);
        else if (!rang && this.tail.verify(message.id, text) === false) this.observer.rejected(forged(message.id));
      } else {
        this.deliverLive(message);
      }
      this.waiting.shift();
    }
    while (next < entries.length) this.deliverEntry(entries[next++] as HistoryEntry);
    if (truncated || this.waiting.length > 0) this.readAgain = true;
  }

  /**
   * Delivers a history entry. When the doorbell that announced it is the entry's channel message word
   * for word, the doorbell's check stands for the entry's (the same event, parsed and checked once).
   *
   * @returns whether `doorbell` was the entry's own message
   */
  private deliverEntry(entry: HistoryEntry, doorbell?: Waiting): boolean {
    this.lastSeen = entry.id;
    const rang = doorbell !== undefined && doorbell.message.id === entry.id && doorbell.text === withEventId(entry.id, entry.json);
    const read = rang ? { id: entry.id, scope: doorbell.message.scope, frame: bookingFrame(entry.id, doorbell.message.event) } : readHistoryEntry(entry, this.limits);
    if (read instanceof ProtocolError) {
      this.observer.rejected(read);
      return false;
    }
    this.tail.append({ id: read.id, scope: read.scope, frame: read.frame, json: entry.json });
    this.sink.deliver(read.frame, read.scope, this.catchingUp);
    return rang;
  }

  private deliverLive(message: ChannelMessage): void {
    this.sink.deliver(bookingFrame(undefined, message.event), message.scope, false);
  }

  /**
   * The feed cannot tell what it missed: every connection resyncs, waiting messages without an id go
   * out, and reading starts again from where the history stands now (`from`, or its newest entry).
   */
  private restart(reason: ResyncReason, from: EventId | undefined): void {
    this.sink.resyncAll(reason);
    for (const { message } of this.waiting) if (message.id === undefined) this.deliverLive(message);
    this.waiting = [];
    this.lastSeen = from;
    this.tail.reset(from);
  }

  private failed(): void {
    if (this.closed) return;
    // While the subscription is down, its return (`onReady`) reads again; nothing to retry before.
    if (!this.up) return;
    // Reads keep being retried from the last delivered id, never skipped: the events are in the
    // history, so a slow or failing read delays them but loses none (a read that finds the id
    // trimmed away reports a gap, and that resyncs).
    const delay = RETRY_DELAYS_MS[Math.min(this.failures, RETRY_DELAYS_MS.length - 1)] as number;
    this.failures += 1;
    this.retry = setTimeout(() => void this.pump(), delay);
    this.retry.unref?.();
  }
}
