import {
  type ChannelMessage,
  type EventId,
  type JsonLimits,
  type ProtocolError,
  type ResyncReason,
  compareEventIds,
  safeParseBookingMessage,
  safeParseChannelMessage,
} from "@realtime-bookings/protocol";
import type { Broker, BrokerListener } from "../brokers/types.js";

/** At most this many live messages wait while the history is read back after a reconnection. */
const MAX_HELD = 10_000;

/** What the feed needs from the hub. @internal */
export interface FeedTarget {
  /** A valid, new event to fan out; `recovered` when it came from the history after a reconnection. */
  deliver(message: ChannelMessage, recovered: boolean): void;
  /** The feed may have missed events it cannot recover: every connection must resync. */
  resyncAll(reason: ResyncReason): void;
  /** A message failed validation. */
  rejected(error: ProtocolError): void;
  /** The subscription went down or came back. */
  brokerState(up: boolean, error?: unknown): void;
}

/**
 * The one subscription of a hub process. It validates every message (untrusted), drops duplicates by
 * history id, and after every resubscription reads what it missed from the history before letting
 * live messages through again, so connections see each event once and in order, or a resync.
 *
 * @internal
 */
export class ChannelFeed implements BrokerListener {
  /** The newest history id this feed delivered: live duplicates of recovered events stop here. */
  private lastSeen: EventId | undefined;
  /**
   * Where the history stood when the first subscription became active: where recovery starts if the
   * subscription drops before any event arrived. Never a dedupe cursor: an event that lands between
   * the subscribe and this read is new to this feed and must be delivered.
   */
  private startFloor: EventId | undefined;
  /**
   * Live messages held from the moment the subscription went down until the history has been read
   * back: a message accepted before recovery would move `lastSeen` past the gap and hide it.
   */
  private held: string[] | undefined;
  private heldOverflow = false;
  private started = false;
  private recovering = false;
  private recoverAgain = false;

  constructor(
    private readonly broker: Broker,
    private readonly target: FeedTarget,
    private readonly limits: JsonLimits,
    private readonly replayLimit: number,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
  ) {}


  onMessage(text: string): void {
    if (!this.held) return this.accept(text);
    if (this.held.length < MAX_HELD) this.held.push(text);
    else this.heldOverflow = true; // events with ids are in the history: recovery reads them again
  }

  onReady(): void {
    this.target.brokerState(true);
    if (!this.started) {
      this.started = true;
      // Remember where the history stood, so a reconnection before any event can still recover.
      // If Redis cannot say, `lastSeen` stays unknown and the first recovery resyncs instead of guessing.
      this.guard(() => this.broker.newestId()).then(
        (id) => {
          this.startFloor = id ?? ("0-0" as EventId);
        },
        () => {},
      );
      return;
    }
    if (this.recovering) {
      this.recoverAgain = true;
      return;
    }
    void this.recover();
  }

  onDown(error?: unknown): void {
    this.target.brokerState(false, error);
    if (this.started) this.held ??= [];
  }

  private accept(text: string): void {
    const parsed = safeParseChannelMessage(text, this.limits);
    if (!parsed.ok) {
      this.target.rejected(parsed.error);
      return;
    }
    const { id } = parsed.value;
    if (id !== undefined) {
      if (this.lastSeen !== undefined && compareEventIds(id, this.lastSeen) <= 0) return;
      this.lastSeen = id;
    }
    this.target.deliver(parsed.value, false);
  }

  private async recover(): Promise<void> {
    this.recovering = true;
    this.held ??= [];
    do {
      this.recoverAgain = this.heldOverflow;
      this.heldOverflow = false;
      const after = this.lastSeen ?? this.startFloor;
      if (after === undefined) {
        // Where the history stood when this hub started is unknown: what was missed cannot be told.
        this.startFloor = await this.guard(() => this.broker.newestId()).catch(() => undefined);
        this.target.resyncAll("history_lost");
        continue;
      }
      try {
        const page = await this.guard(() => this.broker.readHistory(after, this.replayLimit));
        if (page.status === "ok" && !page.truncated) {
          for (const entry of page.entries) {
            const parsed = safeParseBookingMessage(entry.json, this.limits);
            if (!parsed.ok) {
              this.target.rejected(parsed.error);
              continue;
            }
            if (this.lastSeen !== undefined && compareEventIds(entry.id, this.lastSeen) <= 0) continue;
            this.lastSeen = entry.id;
            this.target.deliver({ ...parsed.value, id: entry.id }, true);
          }
        } else if (page.status === "lost" && after === "0-0") {
          // Nothing was ever published: nothing can have been missed.
        } else {
          this.target.resyncAll(page.status === "lost" ? "history_lost" : "history_exceeded");
        }
      } catch {
        this.target.resyncAll("history_lost");
      }
    } while (this.recoverAgain || this.heldOverflow);
    const held = this.held ?? [];
    this.held = undefined;
    this.recovering = false;
    for (const text of held) this.accept(text);
  }
}
