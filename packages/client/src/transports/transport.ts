import type { RealtimeBookingsError } from "../errors.js";

/**
 * What a transport reports (internal). After `close` (or after the client closed the transport)
 * nothing more is reported.
 */
export interface TransportHandlers {
  /** The server answered 200 with an event stream. */
  open(): void;
  /** A dispatched event: its name (`message` when unnamed), data and id (`undefined` when it had none). */
  message(event: string, data: string, id: string | undefined): void;
  /** The server sent `retry: <ms>`. */
  retry(ms: number): void;
  /** The connection ended or could not be made; `error.fatal` says whether to give up. */
  close(error: RealtimeBookingsError): void;
}

/** An open (or opening) SSE connection (internal). */
export interface Transport {
  /** Closes the connection without reporting anything. Safe to call twice. */
  close(): void;
}
