import type { EventId, EventScope, ResyncReason, ViewerRole } from "@realtime-bookings/protocol";
import type { HubLogger } from "../logger.js";
import type { Counters } from "../stats.js";
import { FanoutBatch } from "./batch.js";
import type { Connection } from "./connection.js";
import { fanOut } from "./fan-out.js";
import { type Frame, HEARTBEAT, resyncFrame } from "./frames.js";
import { Registry } from "./registry.js";
import { ScopeCursors } from "./resume/cursors.js";

/**
 * The fan-out of one hub: it registers and deregisters connections, and broadcasts every event the
 * feed delivers to the connections allowed to see it, encoded once, in batches of one turn of the
 * event loop. It also keeps each scope's resume point and the heartbeat. Anchor: better-sse's
 * `Channel` (register, deregister, broadcast), with our scope index and encode-once. The feed delivers
 * into it directly (it is the feed's `FeedSink`).
 *
 * @internal
 */
export class Broadcaster {
  private readonly registry = new Registry();
  private readonly cursors = new ScopeCursors();
  private readonly batch: FanoutBatch;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  /**
   * @param counters - the hub's counters (events received, delivered, dropped, resyncs)
   * @param logger - told about a fan-out that threw
   * @param heartbeatMs - how often every live stream gets a heartbeat
   */
  constructor(
    private readonly counters: Counters,
    logger: HubLogger,
    heartbeatMs: number,
  ) {
    this.batch = new FanoutBatch(
      (messages) => {
        const tally = fanOut(this.registry, messages);
        counters.eventsDelivered += tally.delivered;
        counters.eventsDropped += tally.dropped;
        counters.resyncs += tally.resyncs;
      },
      (error) => logger.error("[realtime-bookings] fan-out failed", error),
    );
    this.heartbeat = setInterval(() => this.registry.forEach((c) => c.heartbeat(HEARTBEAT)), heartbeatMs);
    this.heartbeat.unref?.();
  }

  deliver(frame: Frame, scope: EventScope, recovered: boolean): void {
    this.counters.eventsReceived += 1;
    if (recovered) this.counters.eventsRecovered += 1;
    if (frame.id !== undefined) this.cursors.advance(frame.id, scope);
    this.batch.push({ frame, scope });
  }

  resyncAll(reason: ResyncReason): void {
    this.batch.push({ frame: resyncFrame(reason), scope: undefined });
  }

  /**
   * Registers a connection (which holds live frames until it goes live) and returns its viewer's
   * resume point. Events already taken in go out first to the connections open before this one, and
   * move the resume points: this one gets them from the history (its replay) instead.
   */
  join(connection: Connection): EventId {
    this.batch.flush();
    this.registry.add(connection);
    return this.cursors.startFor(connection.viewer);
  }

  /** Takes a connection out and frees its timer: the one way a connection leaves. Safe to call twice. */
  leave(connection: Connection | undefined): void {
    if (!connection) return;
    this.registry.remove(connection);
    connection.dispose();
  }

  /** How many connections are open. */
  get size(): number {
    return this.registry.size;
  }

  /** How many connections one viewer key holds. */
  countFor(key: string): number {
    return this.registry.countFor(key);
  }

  /** Open connections by role. */
  byRole(): Record<ViewerRole, number> {
    return this.registry.byRole();
  }

  /** Stops the heartbeat, sends what is queued, and ends every stream (clients reconnect). */
  close(): void {
    clearInterval(this.heartbeat);
    this.batch.flush();
    this.registry.forEach((c) => {
      c.sink.close();
      this.leave(c);
    });
  }
}
