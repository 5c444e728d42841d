import { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Sink } from "../fanout/sink.js";
import { jitteredRetryAfter } from "./retry-after.js";

/** Sockets the sinks corked in this turn of the event loop, uncorked together at its end or when {@link CORK_GROUP} are held. */
const corked: Socket[] = [];
/**
 * The most sockets held corked at once: past it, those corked so far are sent before the next is
 * corked, so a broadcast's first viewers do not wait for the hub to queue every stream's bytes. Side by
 * side on 2 cores (2,000 admin streams, 5 interleaved rounds, `BENCH_VARIANT`), the first viewer's
 * median wait fell from 3.0–3.3 to 1.7–1.8 ms and the last's from 33.2–34.2 to 31.2–33.6 ms, with the
 * same server CPU. Sending every write at once instead (a group of 1) was no better (perhaps because
 * the sends then alternate with JavaScript instead of leaving in bursts; not measured).
 */
const CORK_GROUP = 64;
let scheduled = false;

const sendCorked = (): void => {
  for (const socket of corked.splice(0)) socket.uncork();
};

const uncorkAll = (): void => {
  scheduled = false;
  sendCorked();
};

/**
 * Corks `socket` until the end of this turn (or until {@link CORK_GROUP} others are corked), unless
 * something (node:http) already did: the frames a stream gets in one fan-out batch leave in one
 * `writev` (unless its group was sent between them), as they did through `res.write`, but with one
 * `process.nextTick` for every socket of the turn instead of one per socket.
 */
function corkForTurn(socket: Socket): void {
  if (socket.writableCorked) return;
  if (corked.length >= CORK_GROUP) sendCorked();
  socket.cork();
  corked.push(socket);
  if (!scheduled) {
    scheduled = true;
    process.nextTick(uncorkAll);
  }
}

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
  /** Where bytes are written: the response, or its socket (see {@link NodeSink.direct}, {@link NodeSink.own}). */
  private out: ServerResponse | Socket;
  /** The response, until the socket is owned: `close()` ends it. */
  private res: ServerResponse | undefined;

  constructor(
    res: ServerResponse,
    private readonly limits: NodeSinkLimits,
  ) {
    this.out = res;
    this.res = res;
  }

  /**
   * Writes to `socket` directly from now on, instead of the response: the stream's head is on the wire
   * and node:http has let go of the socket (see `takeSocket`), so the response can be collected.
   */
  own(socket: Socket): void {
    this.out = socket;
    this.res = undefined;
  }

  /**
   * Writes to the response's socket from now on, when the response would put the very same bytes on it:
   * its head is sent, its body is neither chunked nor wrapped (`res.write` is node:http's own, so no
   * compression or logging middleware stands in between) and nothing waits in it. node:http corks the
   * socket at every `res.write` and uncorks it on a `process.nextTick` of its own, one per stream per
   * event; a broadcast to 2,000 streams spent ~20 % of its JavaScript time there (`--cpu-prof`). The
   * response stays the app's: the sink still ends it on close, so its `finish` and `close` come as before.
   */
  direct(): void {
    const res = this.res;
    const socket = res?.socket;
    if (
      !res ||
      !socket ||
      !res.headersSent ||
      res.chunkedEncoding ||
      res.write !== ServerResponse.prototype.write ||
      (res as { outputData?: unknown[] }).outputData?.length !== 0
    ) {
      return;
    }
    this.out = socket;
  }

  get closed(): boolean {
    return this.out.destroyed || this.out.writableEnded || this.res?.writableEnded === true;
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
    if (out !== this.res) corkForTurn(out as Socket);
    out.write(chunk);
    return true;
  }

  backlogAgeMs(now: number): number {
    return this.closed || this.out.writableLength === 0 ? 0 : now - this.since;
  }

  close(): void {
    if (this.closed) return;
    const res = this.res;
    if (!res) {
      // An owned socket ends as node:http ends a close-delimited response: once what is queued is out.
      (this.out as Socket).destroySoon();
      return;
    }
    // A stream closed before it started (hub shutting down during a resume) gets a plain 503.
    if (!res.headersSent) res.writeHead(503, { "Retry-After": jitteredRetryAfter(1) });
    res.end();
  }
}
