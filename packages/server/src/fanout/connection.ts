import { type EventId, type ViewerScope, compareEventIds } from "@realtime-bookings/protocol";
import type { Expiring } from "./expiry-wheel.js";
import type { Beating } from "./heartbeat-wheel.js";
import { type Frame, reauthFrame } from "./frames.js";
import type { Sink } from "./sink.js";

/** The shortest a stream lives before its credentials' expiry ends it. */
const MIN_EXPIRY_MS = 1_000;

/** What a stream is told before its credentials expire; one object shared by a hub's streams. @internal */
export interface ExpiryNotice {
  /** How long before the expiry it is sent, in ms. */
  readonly leadMs: number;
  /** Called once a notice was written. */
  sent(): void;
}

/**
 * One open SSE stream: who watches it and where its bytes go. While its replay is read from the
 * history, live frames wait in `pending` so the client sees history first, then live, in order and
 * without duplicates.
 *
 * @internal
 */
export class Connection implements Expiring, Beating {
  /** The expiry wheel's bucket for this connection (see {@link ExpiryWheel}). */
  dueKey: number | undefined;
  /** The heartbeat wheel's slice for this connection (see {@link HeartbeatWheel}). */
  beatSlice: number | undefined;
  /** When the credentials expire (ms since the epoch), once {@link Connection.expireAt} was called. */
  private expiresAt: number | undefined;
  /** The notice still to send before the expiry, if any. */
  private notice: ExpiryNotice | undefined;
  /** Live frames held while the replay is read; `undefined` once live. */
  private pending: Frame[] | undefined;
  private pendingBytes = 0;
  /** The last id written by the replay: live frames at or before it are duplicates. */
  private cursor: EventId | undefined;
  /** The newest id the client was given, or a bound above it (a replay's newest covered id). */
  private lastId: EventId | undefined;

  /**
   * @param viewer - whose scope this stream carries
   * @param sink - where the bytes go
   * @param key - the key its per-viewer connection cap counts under
   * @param maxPendingBytes - how much may wait during a replay before the connection is dropped
   */
  constructor(
    readonly viewer: ViewerScope,
    readonly sink: Sink,
    readonly key: string,
    private readonly maxPendingBytes: number,
  ) {}

  /**
   * Notes that the stream ends at `at` (ms since the epoch), when the viewer's credentials expire; the
   * client reconnects and authenticates afresh. With a `notice`, an `event: reauth` is written
   * `leadMs` before, so the client can open its next stream with fresh credentials before this one
   * ends. The hub's {@link ExpiryWheel} calls {@link Connection.due} at the time this returns.
   *
   * @returns when the connection is first due
   */
  expireAt(at: number, notice?: ExpiryNotice): number {
    // At least a second: credentials that expire at once must not end a stream the moment it opens
    // (the client would reconnect and be cut again in a loop until the hub refuses the token).
    this.expiresAt = Math.max(at, Date.now() + MIN_EXPIRY_MS);
    const noticeAt = notice ? at - notice.leadMs : at;
    this.notice = notice && noticeAt > Date.now() ? notice : undefined;
    return this.notice ? noticeAt : this.expiresAt;
  }

  /** Sends the reauth notice when it is due, else ends the stream. @returns when it is due next */
  due(now: number): number | undefined {
    const { expiresAt, notice } = this;
    if (expiresAt === undefined) return undefined;
    if (notice && now < expiresAt) {
      this.notice = undefined;
      if (this.sink.write(reauthFrame(expiresAt))) notice.sent();
      return expiresAt;
    }
    this.sink.close();
    return undefined;
  }

  /** Frees what the connection holds besides its sink. Safe to call twice. */
  dispose(): void {
    this.notice = undefined;
    this.pending = undefined;
  }

  /** Holds live frames until {@link Connection.goLive}. */
  holdForReplay(): void {
    this.pending = [];
  }

  /**
   * Writes a frame, or holds it while replaying; skips one the replay already wrote.
   *
   * @returns `false` when the frame could not be written (connection gone or dropped as too slow)
   */
  deliver(frame: Frame): boolean {
    if (this.pending) {
      this.pendingBytes += frame.bytes.byteLength;
      if (this.pendingBytes > this.maxPendingBytes) {
        this.pending = undefined;
        this.sink.close();
        return false;
      }
      this.pending.push(frame);
      return true;
    }
    if (this.isReplayed(frame)) return true;
    if (frame.id !== undefined) this.lastId = frame.id;
    return this.sink.write(frame.bytes);
  }

  /**
   * Writes several frames, oldest first: as `joined` (their bytes end to end) in one write when the
   * connection is live, else one by one (held during a replay, or skipped when already replayed).
   *
   * @returns `false` when they could not be written (connection gone or dropped as too slow)
   */
  deliverAll(frames: readonly Frame[], joined: Uint8Array): boolean {
    if (this.pending || this.cursor !== undefined) return frames.every((frame) => this.deliver(frame));
    const newest = frames.findLast((frame) => frame.id !== undefined)?.id;
    if (newest !== undefined) this.lastId = newest;
    return this.sink.write(joined);
  }

  /**
   * Writes a heartbeat, unless the stream has not started yet: `checkpoint` (a heartbeat with an id)
   * when the client was given nothing as new, else the plain one.
   */
  heartbeat(plain: Uint8Array, checkpoint?: Frame): void {
    if (this.pending) return;
    if (checkpoint?.id !== undefined && (this.lastId === undefined || compareEventIds(this.lastId, checkpoint.id) < 0)) {
      this.lastId = checkpoint.id;
      this.sink.write(checkpoint.bytes);
    } else {
      this.sink.write(plain);
    }
  }

  /**
   * Writes the replay, then the frames held meanwhile, and goes live. Bulk writes wait for the peer
   * to drain, so a resume larger than the slow-reader cap still gets through to a reader that reads;
   * live frames keep being held (within the cap) until the backlog is written.
   *
   * @param replay - history frames this viewer may see, oldest first
   * @param lastReplayedId - the newest id the replay covered (visible to this viewer or not)
   */
  async goLive(replay: readonly Frame[], lastReplayedId: EventId | undefined): Promise<void> {
    for (const frame of replay) {
      if (frame.id !== undefined) this.lastId = frame.id;
      if (!(await this.writeBulk(frame))) return;
    }
    if (lastReplayedId !== undefined) this.lastId = lastReplayedId;
    this.cursor = lastReplayedId;
    for (let next = 0; this.pending && next < this.pending.length; next++) {
      const frame = this.pending[next] as Frame;
      this.pendingBytes -= frame.bytes.byteLength;
      if (this.isReplayed(frame)) continue;
      if (frame.id !== undefined) this.lastId = frame.id;
      if (!(await this.writeBulk(frame))) return;
    }
    this.pending = undefined;
    this.pendingBytes = 0;
  }

  private isReplayed(frame: Frame): boolean {
    if (this.cursor === undefined || frame.id === undefined) return false;
    if (compareEventIds(frame.id, this.cursor) <= 0) return true;
    this.cursor = undefined; // ids arrive in order: everything from here on is new
    return false;
  }

  private async writeBulk(frame: Frame): Promise<boolean> {
    if (!this.sink.write(frame.bytes)) return false;
    if (this.sink.backlogged) await this.sink.drained();
    return !this.sink.closed;
  }
}
