import type { EventScope } from "@realtime-bookings/protocol";
import type { Frame } from "./frames.js";

/** One message for the fan-out: its frame, and who may see it (`undefined`: every connection). @internal */
export interface Outgoing {
  readonly frame: Frame;
  readonly scope: EventScope | undefined;
}

/** At most this many messages go out in one turn of the event loop; the rest wait for the next. */
const MAX_PER_TURN = 256;

/**
 * Queues the fan-out and runs it in batches, one per turn of the event loop: messages that arrive
 * while the loop handles its I/O (broker messages, publish requests) go out together on the next
 * `setImmediate`.
 *
 * Why: the socket write per connection is the largest part of what a broadcast costs (`writev` was
 * about 40% of the hub's busy CPU in a `--cpu-prof` of a 2,000-connection broadcast). Node corks a
 * response's socket at its first write in a tick and flushes it once at the end of the tick, and the hub writes a
 * batch's messages to an admin as one joined buffer, so a connection gets one write per batch, not
 * one per event. When events come faster than one syscall per connection per event allows, the
 * backlog drains instead of growing; when the hub is idle an event waits only for the current turn to
 * end (microseconds). A batch holds at most 256 messages, so a burst is written in slices and the
 * event loop keeps answering (broker replies, new streams, the kernel draining sockets) in between.
 *
 * Messages go out in the order queued; a batch that throws is reported and the queue goes on.
 *
 * @internal
 */
export class FanoutBatch {
  private readonly queue: Outgoing[] = [];
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  /**
   * @param send - writes one batch, oldest first
   * @param onError - told about a batch that threw
   */
  constructor(
    private readonly send: (batch: readonly Outgoing[]) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Queues a message for the next batch. */
  push(message: Outgoing): void {
    this.queue.push(message);
    this.scheduled ??= setImmediate(() => this.sendNext());
  }

  /** Sends everything queued now, in slices of at most 256: before a new stream joins, and on close. */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    while (this.queue.length > 0) this.sendSlice();
  }

  private sendNext(): void {
    this.scheduled = undefined;
    this.sendSlice();
    if (this.queue.length > 0) this.scheduled = setImmediate(() => this.sendNext());
  }

  private sendSlice(): void {
    const batch = this.queue.splice(0, MAX_PER_TURN);
    try {
      this.send(batch);
    } catch (error) {
      this.onError(error);
    }
  }
}
