import type { Sink } from "../fanout/sink.js";

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
        cancel: () => this.finish(),
      },
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  get closed(): boolean {
    return this.done;
  }

  write(chunk: Uint8Array): boolean {
    if (this.done) return false;
    const queued = -(this.controller.desiredSize ?? 0);
    if (queued > this.maxBufferedBytes) {
      this.onSlow();
      this.controller.error(new Error("realtime-bookings: the client did not read; dropped"));
      this.finish();
      return false;
    }
    this.controller.enqueue(chunk);
    return true;
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
    this.onGone();
  }
}
