import { SSE_EVENTS } from "@realtime-bookings/protocol";
import type { RealtimeEnvironment } from "./environment.js";
import { RealtimeBookingsError } from "./errors.js";
import type { TransportName } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import { parseObject } from "./parse.js";
import { openTransport } from "./transports/open.js";
import type { Transport } from "./transports/transport.js";

/** What one stream attempt reports (internal). Nothing is reported after `close()`. */
export interface ConnectionEvents {
  /** The server answered with an event stream. */
  opened(): void;
  /** An event arrived (heartbeats included). */
  message(name: string, data: string, id: string | undefined): void;
  /** The attempt failed, or the open stream ended or stalled. */
  dropped(error: RealtimeBookingsError): void;
}

/** The stream connection, one attempt at a time (internal). */
export interface Connection {
  /** Opens a new attempt (closing the current one), resuming after `lastEventId`. */
  open(lastEventId: string | undefined): void;
  /** Closes the current attempt without reporting anything. */
  close(): void;
  /** The server's `retry:` (at least 100 ms), once it sent one. */
  readonly retryMs: number | undefined;
}

/** The stall timeout before the hub said its heartbeat: 2.5 × the hub's default 25 s. */
const STALL_MS = 62_500;

/**
 * Creates the stream connection (internal). One watchdog timer covers two failures a browser does
 * not report: an attempt that has not opened within `requestTimeoutMs` (an HTTP/1.1 browser queues
 * a seventh tab's request for good) fails with `timeout`; an open stream that delivers nothing, not
 * even a heartbeat, for twice the heartbeat interval the hub announced in `ready` (or for
 * `stallOption`, the `heartbeatTimeoutMs` option, when given) fails with `stalled`. A hub that
 * announces no interval sends comment heartbeats, which only the fetch transport sees: a native
 * stream then has no watchdog. Every attempt gets a generation number, and callbacks of an older one
 * are ignored.
 */
export function createConnection(
  env: RealtimeEnvironment,
  options: ResolvedOptions,
  kind: TransportName,
  stallOption: number | undefined,
  events: ConnectionEvents,
): Connection {
  let generation = 0;
  let transport: Transport | undefined;
  let watchdog: unknown;
  let stallMs = stallOption ?? STALL_MS;
  let retryMs: number | undefined;

  const close = (): void => {
    generation++;
    transport?.close();
    transport = undefined;
    env.clearTimeout(watchdog);
  };
  const fail = (error: RealtimeBookingsError): void => {
    close();
    events.dropped(error);
  };
  const arm = (ms: number, code: "timeout" | "stalled"): void => {
    env.clearTimeout(watchdog);
    if (ms > 0) watchdog = env.setTimeout(() => fail(new RealtimeBookingsError(code)), ms);
  };

  return {
    open(lastEventId) {
      close();
      const mine = generation;
      const current = (): boolean => mine === generation;
      arm(options.requestTimeoutMs, "timeout");
      transport = openTransport(env, kind, options, lastEventId, {
        open: () => current() && (arm(stallMs, "stalled"), events.opened()),
        message: (name, data, id) => {
          if (!current()) return;
          if (name === SSE_EVENTS.ready) {
            const announced = Number(parseObject(data)["heartbeatMs"]);
            stallMs = stallOption ?? (announced > 0 ? 2 * announced : kind === "fetch" ? STALL_MS : 0);
          }
          arm(stallMs, "stalled");
          events.message(name, data, id);
        },
        // The server's retry: is the backoff base, but never below 100 ms: `retry: 0` must not turn a
        // failing server into a reconnect loop.
        retry: (ms) => current() && (retryMs = Math.max(100, ms)),
        close: (error) => current() && fail(error),
      });
    },
    close,
    get retryMs() {
      return retryMs;
    },
  };
}
