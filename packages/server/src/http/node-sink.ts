import type { ServerResponse } from "node:http";
import type { Sink } from "../fanout/sink.js";
import { jitteredRetryAfter } from "./retry-after.js";

/**
 * A {@link Sink} over a Node `ServerResponse`. `res.write()` returning `false` only means buffered;
 * the sink lets Node buffer (frames are shared buffers, so a slow reader costs references, not copies)
 * up to `maxBufferedBytes` of the response and its socket, then drops the connection.
 *
 * @internal
 */
export class NodeSink implements Sink {
  /** When the buffer last started from empty. */
  private since = 0;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxBufferedBytes: number,
    private readonly onSlow: () => void,
  ) {}

  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }

  get backlogged(): boolean {
    return this.res.writableNeedDrain;
  }

  drained(): Promise<void> {
    if (this.closed || !this.res.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off("drain", done);
        this.res.off("close", done);
        resolve();
      };
      this.res.on("drain", done);
      this.res.on("close", done);
    });
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    if (this.res.writableLength > this.maxBufferedBytes) {
      this.onSlow();
      this.res.destroy();
      return false;
    }
    if (this.res.writableLength === 0) this.since = Date.now();
    this.res.write(chunk);
    return true;
  }

  backlogAgeMs(now: number): number {
    return this.closed || this.res.writableLength === 0 ? 0 : now - this.since;
  }

  close(): void {
    if (this.closed) return;
    // A stream closed before it started (hub shutting down during a resume) gets a plain 503.
    if (!this.res.headersSent) this.res.writeHead(503, { "Retry-After": jitteredRetryAfter(1) });
    this.res.end();
  }
}
