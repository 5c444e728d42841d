/**
 * Where a connection's bytes go: a Node `ServerResponse` or a Web `ReadableStream`. A sink bounds what
 * it buffers for a peer that does not read; past the bound it drops the connection (the client
 * reconnects and resumes by id) instead of growing memory.
 *
 * @internal
 */
export interface Sink {
  /** Queues a chunk. Returns `false` when the sink is closed or was just dropped as too slow. */
  write(chunk: Uint8Array): boolean;
  /**
   * Whether the peer's buffer is above its high-water mark. Bulk writers (a replay) wait for
   * {@link Sink.drained} before writing more, so a large resume never trips the slow-reader cap.
   */
  readonly backlogged: boolean;
  /** Resolves when the backlog has drained, or the sink closed: never hangs on a dead peer. */
  drained(): Promise<void>;
  /** Ends the stream gracefully (the client will reconnect). Safe to call twice. */
  close(): void;
  /** Whether the peer is gone or the stream has ended. */
  readonly closed: boolean;
  /**
   * How long the bytes waiting for this peer have been waiting, in ms (0 when nothing waits): the age
   * of its backlog since it last started from empty, an upper bound of its oldest unsent byte.
   */
  backlogAgeMs(now: number): number;
}
