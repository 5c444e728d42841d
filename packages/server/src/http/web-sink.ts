import type { Sink } from "../fanout/sink.js";

/** Bytes a Web stream may queue before bulk writers wait for the reader. */
const HIGH_WATER = 65_536;

/**
 * A {@link Sink} that feeds a Web `ReadableStream`, for `(Request) => Response` handlers. The queue
 * counts bytes; past `maxBufferedBytes` unread, the stream is errored and the connection dropped.
 *
 * @internal
 */
export class WebSink implements Sink {
  readonly stream: ReadableStream<Uint8Array>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private done = false;
  private waiters: Array<() => void> = [];
  /** When the queue last started from empty. */
  private since = 0;

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly onSlow: () => void,
    private readonly onGone: () => void,
  ) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.wake(),
        cancel: () => this.finish(),
      },
      { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength },
    );
  }

  get backlogged(): boolean {
    return !this.done && (this.controller.desiredSize ?? 0) <= 0;
  }

  drained(): Promise<void> {
    if (!this.backlogged) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  get closed(): boolean {
    return this.done;
  }

  write(chunk: Uint8Array): boolean {
    if (this.done) return false;
    const queued = HIGH_WATER - (this.controller.desiredSize ?? 0);
    if (queued > this.maxBufferedBytes) {
      this.onSlow();
      this.controller.error(new Error("realtime-bookings: the client did not read; dropped"));
      this.finish();
      return false;
    }
    if (queued <= 0) this.since = Date.now();
    this.controller.enqueue(chunk);
    return true;
  }

  backlogAgeMs(now: number): number {
    return this.done || (this.controller.desiredSize ?? 0) >= HIGH_WATER ? 0 : now - this.since;
  }

  close(): void {
    if (this.done) return;
    this.controller.close();
    this.finish();
  }

  /** The peer went away (request aborted). */
  abort(): void {
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.wake();
    this.onGone();
  }
}
