import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Sink } from "../fanout/sink.js";
import { jitteredRetryAfter } from "./retry-after.js";

/** What every {@link NodeSink} of a hub shares: one object, not two fields per stream. @internal */
export interface NodeSinkLimits {
  /** How much may wait for a peer before its connection is dropped as too slow, in bytes. */
  readonly maxBufferedBytes: number;
  /** Called when a connection is dropped as too slow. */
  readonly onSlow: () => void;
}

/**
 * A {@link Sink} over a Node `ServerResponse`, or over the response's socket once the stream took it
 * from node:http ({@link NodeSink.own}). A `write()` returning `false` only means buffered; the sink
 * lets Node buffer (frames are shared buffers, so a slow reader costs references, not copies) up to
 * `maxBufferedBytes`, then drops the connection.
 *
 * @internal
 */
export class NodeSink implements Sink {
  /** When the buffer last started from empty. */
  private since = 0;
  /** The response, or the socket once owned. */
  private out: ServerResponse | Socket;

  constructor(
    res: ServerResponse,
    private readonly limits: NodeSinkLimits,
  ) {
    this.out = res;
  }

  /**
   * Writes to `socket` directly from now on, instead of the response: the stream's head is on the wire
   * and node:http has let go of the socket (see `takeSocket`), so the response can be collected.
   */
  own(socket: Socket): void {
    this.out = socket;
  }

  get closed(): boolean {
    return this.out.destroyed || this.out.writableEnded;
  }

  get backlogged(): boolean {
    return this.out.writableNeedDrain;
  }

  drained(): Promise<void> {
    const out = this.out;
    if (this.closed || !out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        out.off("drain", done);
        out.off("close", done);
        resolve();
      };
      out.on("drain", done);
      out.on("close", done);
    });
  }

  write(chunk: Uint8Array): boolean {
    if (this.closed) return false;
    const out = this.out;
    if (out.writableLength > this.limits.maxBufferedBytes) {
      this.limits.onSlow();
      out.destroy();
      return false;
    }
    if (out.writableLength === 0) this.since = Date.now();
    out.write(chunk);
    return true;
  }

  backlogAgeMs(now: number): number {
    return this.closed || this.out.writableLength === 0 ? 0 : now - this.since;
  }

  close(): void {
    if (this.closed) return;
    const out = this.out;
    if (!("writeHead" in out)) {
      // An owned socket ends as node:http ends a close-delimited response: once what is queued is out.
      out.destroySoon();
      return;
    }
    // A stream closed before it started (hub shutting down during a resume) gets a plain 503.
    if (!out.headersSent) out.writeHead(503, { "Retry-After": jitteredRetryAfter(1) });
    out.end();
  }
}
