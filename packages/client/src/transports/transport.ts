import type { RealtimeBookingsError } from "../errors.js";

/** What the client asks a transport to open (internal). */
export interface TransportRequest {
  /** The stream URL as configured, with `lastEventId=<id>` when resuming (a new `EventSource` cannot send the header). */
  readonly url: string;
  /** The id to resume after, if any. */
  readonly lastEventId: string | undefined;
  /** Resolves the headers to send (the fetch transport only, which calls it first). */
  readonly headers: () => Promise<Readonly<Record<string, string>>>;
  /** Send cookies cross-origin. */
  readonly withCredentials: boolean;
}

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
