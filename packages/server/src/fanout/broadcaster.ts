import type { EventId, EventScope, ResyncReason, ViewerRole } from "@realtime-bookings/protocol";
import type { HubLogger } from "../logger.js";
import type { Counters } from "../stats.js";
import { FanoutBatch } from "./batch.js";
import type { Connection, ExpiryNotice } from "./connection.js";
import { ExpiryWheel } from "./expiry-wheel.js";
import { fanOut } from "./fan-out.js";
import { type Frame, HEARTBEAT, checkpointFrame, preamble, resyncFrame } from "./frames.js";
import { HeartbeatWheel } from "./heartbeat-wheel.js";
import { LagRecorder } from "./lag-histogram.js";
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
  private readonly heartbeats: HeartbeatWheel<Connection>;
  private readonly expiries = new ExpiryWheel();
  /** Publish → socket-write lag of each event. */
  readonly lag = new LagRecorder();

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
        const now = Date.now();
        for (const { frame, scope } of messages) if (frame.id !== undefined && scope !== undefined) this.lag.record(frame.id, now);
        const tally = fanOut(this.registry, messages);
        counters.eventsDelivered += tally.delivered;
        counters.eventsDropped += tally.dropped;
        counters.resyncs += tally.resyncs;
      },
      (error) => logger.error("[realtime-bookings] fan-out failed", error),
    );
    this.heartbeats = new HeartbeatWheel(heartbeatMs, (slice) => this.beat(slice));
  }

  /**
   * Every live stream of one slice gets a heartbeat (the wheel beats each slice once per period); one
   * that has been given nothing since the checkpoint gets it with the checkpoint as its id, so its
   * resume point keeps up with the history (see `ScopeCursors.checkpoint`). What is queued goes out
   * first, so nothing older is still on its way.
   */
  private beat(slice: ReadonlySet<Connection>): void {
    this.batch.flush();
    const checkpoint = this.cursors.checkpoint();
    const frame = checkpoint === undefined ? undefined : { id: checkpoint, bytes: checkpointFrame(checkpoint) };
    for (const c of slice) c.heartbeat(HEARTBEAT, frame);
  }

  deliver(frame: Frame, scope: EventScope, recovered: boolean): void {
    this.counters.eventsReceived += 1;
    if (recovered) this.counters.eventsRecovered += 1;
    if (frame.id !== undefined) this.cursors.advance(frame.id, scope);
    this.batch.push({ frame, scope });
  }

  remember(id: EventId, scope: EventScope): void {
    this.cursors.advance(id, scope);
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
    this.heartbeats.add(connection);
    return this.cursors.startFor(connection.viewer);
  }

  /** Takes a connection out and stops its expiry: the one way a connection leaves. Safe to call twice. */
  leave(connection: Connection | undefined): void {
    if (!connection) return;
    this.registry.remove(connection);
    this.heartbeats.remove(connection);
    this.expiries.cancel(connection);
    connection.dispose();
  }

  /**
   * Ends a connection when its credentials expire at `at`, after a `notice` (`event: reauth`)
   * `leadMs` before, if given (see {@link Connection.expireAt}). One wheel serves every connection.
   */
  expireAt(connection: Connection, at: number, notice?: ExpiryNotice): void {
    this.expiries.schedule(connection, connection.expireAt(at, notice));
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

  /** The age of the oldest backlog among open streams, in ms. */
  oldestBacklogMs(): number {
    const now = Date.now();
    let oldest = 0;
    this.registry.forEach((c) => {
      oldest = Math.max(oldest, c.sink.backlogAgeMs(now));
    });
    return oldest;
  }

  /**
   * Ends every open stream, spread evenly over `windowMs` in random order, each first told to come
   * back after its own jittered delay (`retry:` between `retryMs` and twice that): the clients
   * reconnect (to another hub) a few at a time and resume by id, instead of all at once.
   *
   * @returns how many streams it ended
   */
  async drain(windowMs: number, retryMs: number): Promise<number> {
    this.batch.flush();
    const open: Connection[] = [];
    this.registry.forEach((c) => open.push(c));
    for (let i = open.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [open[i], open[j]] = [open[j] as Connection, open[i] as Connection];
    }
    const started = Date.now();
    for (let done = 0; done < open.length; ) {
      // Close everyone due by now, then wait for the next slot (at most ~10 ms granularity).
      const due = Math.min(open.length, Math.ceil(((Date.now() - started + 1) / Math.max(1, windowMs)) * open.length));
      for (; done < due; done++) {
        const connection = open[done] as Connection;
        if (connection.sink.closed) continue;
        connection.sink.write(preamble(retryMs + Math.floor(Math.random() * retryMs)));
        connection.sink.close();
        this.leave(connection);
        this.counters.streamsDrained += 1;
      }
      if (done < open.length) await new Promise((resolve) => setTimeout(resolve, Math.max(10, windowMs / open.length)));
    }
    return open.length;
  }

  /** Stops the heartbeat, sends what is queued, and ends every stream (clients reconnect). */
  close(): void {
    this.heartbeats.stop();
    this.expiries.stop();
    this.batch.flush();
    this.registry.forEach((c) => {
      c.sink.close();
      this.leave(c);
    });
  }
}
