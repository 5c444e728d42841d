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
  /** The id to resume after (read whenever a stream is opened). */
  resume(): string | undefined;
}

/** The stream connection, one attempt at a time (internal). */
export interface Connection {
  /** Opens a new attempt (closing the current one), resuming after the last id delivered. */
  open(): void;
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
 * stream then has no watchdog. Callbacks of a transport that is no longer current are ignored.
 *
 * Rotation: on `event: reauth` (the stream's credentials expire soon) it opens a second stream, which
 * calls the `token` function again (or, natively, sends the cookie again), resuming after the last
 * delivered id. Both deliver until the new one sends `ready` (after its replay); then the old one is
 * closed. No status changes, and an id already delivered by either stream is skipped by the other, so
 * nothing is lost or doubled. A new stream that fails is dropped: the old one runs until the hub ends
 * it, and the usual reconnect follows.
 */
export function createConnection(
  env: RealtimeEnvironment,
  options: ResolvedOptions,
  kind: TransportName,
  stallOption: number | undefined,
  events: ConnectionEvents,
): Connection {
  /** The stream that delivers, and the one taking over from it after a `reauth`. */
  let transport: Transport | undefined;
  let next: Transport | undefined;
  /** The ids delivered since the last rotation began: either stream skips what the other delivered. */
  const seen = new Set<string>();
  let watchdog: unknown;
  let stallMs = stallOption ?? STALL_MS;
  let retryMs: number | undefined;

  const close = (): void => {
    transport?.close();
    next?.close();
    transport = next = undefined;
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
  /** Opens a transport resuming after the last id delivered. */
  const attach = (): Transport => {
    const mine: Transport = openTransport(env, kind, options, events.resume(), {
      open: () => mine === transport && (arm(stallMs, "stalled"), events.opened()),
      message: (name, data, id) => {
        // The successor's `ready`: it replayed what the old stream had not delivered, and is live.
        if (mine === next && name === SSE_EVENTS.ready) {
          transport?.close();
          transport = mine;
          next = undefined;
        }
        // An old transport's late callback, or an id the other stream delivered: skipped. During a
        // rotation both streams deliver (and keep the watchdog quiet); each id is remembered.
        if ((mine !== transport && mine !== next) || (id && (seen.has(id) || (next && !seen.add(id))))) return;
        if (name === SSE_EVENTS.ready) {
          const announced = Number(parseObject(data)["heartbeatMs"]);
          stallMs = stallOption ?? (announced > 0 ? 2 * announced : kind === "fetch" ? STALL_MS : 0);
        }
        // Credentials expire soon: open the successor (fresh token or cookie), resuming after the last id.
        if (name === SSE_EVENTS.reauth && !next) {
          seen.clear();
          next = attach();
        }
        arm(stallMs, "stalled");
        events.message(name, data, id);
      },
      // The server's retry: is the backoff base, but never below 100 ms: `retry: 0` must not turn a
      // failing server into a reconnect loop.
      retry: (ms) => mine === transport && (retryMs = Math.max(100, ms)),
      // A successor that fails is dropped: the old stream runs until it ends, then the usual reconnect.
      close: (error) => (mine === transport ? fail(error) : mine === next && (next = undefined)),
    });
    return mine;
  };

  return {
    open() {
      close();
      arm(options.requestTimeoutMs, "timeout");
      transport = attach();
    },
    close,
    get retryMs() {
      return retryMs;
    },
  };
}
