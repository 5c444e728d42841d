import {
  type ChannelMessage,
  type EventId,
  type EventScope,
  type JsonLimits,
  NO_EVENT_YET,
  ProtocolError,
  type ResyncReason,
  compareEventIds,
  safeParseBookingMessage,
  safeParseChannelMessage,
} from "@realtime-bookings/protocol";
import type { Broker, BrokerListener, HistoryEntry, HistoryPage } from "../brokers/types.js";
import { type Frame, bookingFrame } from "../fanout/frames.js";
import { HistoryTail, messageDigest } from "../fanout/history-tail.js";

/** At most this many channel messages wait for the history read that confirms them. */
const MAX_WAITING = 10_000;
/** Delays before retrying a failed history read while the subscription is up; then resync. */
const RETRY_DELAYS_MS = [100, 300, 900] as const;

/** What the feed needs from the hub. @internal */
export interface FeedTarget {
  /**
   * A valid, new event to fan out, framed once; `recovered` when the hub had missed its message (it was
   * read back from the history after a reconnection).
   */
  deliver(frame: Frame, scope: EventScope, recovered: boolean): void;
  /** The feed may have missed events it cannot recover: every connection must resync. */
  resyncAll(reason: ResyncReason): void;
  /** A message failed validation, or claimed an id the history does not hold. */
  rejected(error: ProtocolError): void;
  /** The subscription went down or came back. */
  brokerState(up: boolean, error?: unknown): void;
}

/** A channel message waiting for the history read that confirms it. */
type Waiting = { readonly seq: number; readonly text: string; readonly message: ChannelMessage };

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

  constructor(
    private readonly broker: Broker,
    private readonly target: FeedTarget,
    private readonly limits: JsonLimits,
    private readonly replayLimit: number,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
  ) {
    this.tail = new HistoryTail(replayLimit);
  }

  /**
   * Notes where the history stands, then subscribes: everything stored after that point reaches the
   * connections, including what lands before the subscription is active (the first read catches up).
   */
  async start(): Promise<void> {
    await this.establishStart().catch(() => {});
    await this.broker.subscribe(this);
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
    for (const resolve of this.idleWaiters) resolve();
    this.idleWaiters = [];
  }

  onMessage(text: string): void {
    const parsed = safeParseChannelMessage(text, this.limits);
    if (!parsed.ok) return this.target.rejected(parsed.error);
    const message = parsed.value;
    const idle = this.waiting.length === 0 && !this.catchingUp;
    if (message.id === undefined && idle) return this.deliverLive(message);
    if (message.id !== undefined && idle && this.lastSeen !== undefined && compareEventIds(message.id, this.lastSeen) <= 0) {
      // Already delivered from the history (the read got there first), or a forgery.
      if (this.tail.verify(message.id, text) === false) this.target.rejected(forged(message.id));
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
    this.target.brokerState(true);
    // The first subscribe may have raced a publish; every later one follows an outage: read back.
    this.catchingUp = this.started;
    this.started = true;
    void this.pump();
  }

  onDown(error?: unknown): void {
    this.up = false;
    this.target.brokerState(false, error);
  }

  private async establishStart(): Promise<void> {
    const newest = await this.guard(() => this.broker.newestId());
    if (this.lastSeen !== undefined) return;
    this.lastSeen = newest ?? NO_EVENT_YET;
    this.tail.reset(this.lastSeen);
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
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /**
   * After a resubscription: when the history's newest entry is older than the last one delivered, a
   * failover lost writes the old master had not replicated (replication is asynchronous). Events the
   * new master stores may then reuse ids at or below the last delivered one, which a read after it
   * would never return: every connection resyncs and reading restarts from the history's newest entry.
   */
  private async checkRollback(): Promise<void> {
    const last = this.lastSeen;
    if (last === undefined || last === NO_EVENT_YET) return;
    const newest = await this.guard(() => this.broker.newestId());
    if (newest !== undefined && compareEventIds(newest, last) < 0 && this.lastSeen === last) this.restart("history_lost", newest);
  }

  private apply(page: HistoryPage, after: EventId, startedAt: number): void {
    if (page.status === "gap") return this.restart("history_exceeded", undefined);
    if (page.status === "lost") {
      // No history at all: nothing was ever stored (nothing to miss), or Redis lost it.
      if (after !== NO_EVENT_YET) return this.restart("history_lost", NO_EVENT_YET);
      return this.settle([], false, startedAt);
    }
    this.settle(page.entries, page.truncated, startedAt);
  }

  /**
   * Delivers the entries read, in history order, interleaved with the waiting messages in arrival
   * order: a message with an id is settled by its entry (or rejected when the read that followed its
   * arrival does not hold it); one without an id is delivered at its place.
   */
  private settle(entries: readonly HistoryEntry[], truncated: boolean, startedAt: number): void {
    let next = 0;
    while (this.waiting.length > 0) {
      const { seq, text, message } = this.waiting[0] as Waiting;
      if (message.id !== undefined) {
        while (next < entries.length && compareEventIds((entries[next] as HistoryEntry).id, message.id) <= 0) this.deliverEntry(entries[next++] as HistoryEntry);
        const known = this.lastSeen !== undefined && compareEventIds(message.id, this.lastSeen) <= 0;
        if (!known && (truncated || seq >= startedAt)) break; // a later read settles it
        if (!known || this.tail.verify(message.id, text) === false) this.target.rejected(forged(message.id));
      } else {
        this.deliverLive(message);
      }
      this.waiting.shift();
    }
    while (next < entries.length) this.deliverEntry(entries[next++] as HistoryEntry);
    if (truncated || this.waiting.length > 0) this.readAgain = true;
  }

  private deliverEntry(entry: HistoryEntry): void {
    this.lastSeen = entry.id;
    const parsed = safeParseBookingMessage(entry.json, this.limits);
    if (!parsed.ok) return this.target.rejected(parsed.error);
    const frame = bookingFrame(entry.id, parsed.value.event);
    this.tail.append({ id: entry.id, scope: parsed.value.scope, frame, digest: messageDigest(entry.id, entry.json) });
    this.target.deliver(frame, parsed.value.scope, this.catchingUp);
  }

  private deliverLive(message: ChannelMessage): void {
    this.target.deliver(bookingFrame(undefined, message.event), message.scope, false);
  }

  /**
   * The feed cannot tell what it missed: every connection resyncs, waiting messages without an id go
   * out, and reading starts again from where the history stands now (`from`, or its newest entry).
   */
  private restart(reason: ResyncReason, from: EventId | undefined): void {
    this.target.resyncAll(reason);
    for (const { message } of this.waiting) if (message.id === undefined) this.deliverLive(message);
    this.waiting = [];
    this.lastSeen = from;
    this.tail.reset(from);
  }

  private failed(): void {
    if (this.closed) return;
    // While the subscription is down, its return (`onReady`) reads again; nothing to retry before.
    if (!this.up) return;
    const delay = RETRY_DELAYS_MS[this.failures];
    this.failures += 1;
    if (delay === undefined) {
      this.failures = 0;
      this.restart("history_lost", undefined);
      return;
    }
    this.retry = setTimeout(() => void this.pump(), delay);
    this.retry.unref?.();
  }
}
