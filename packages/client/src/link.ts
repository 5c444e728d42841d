import { createConnection } from "./connection.js";
import type { RealtimeEnvironment } from "./environment.js";
import type { RealtimeBookingsError } from "./errors.js";
import { retryWait } from "./http.js";
import type { StatusReason, TransportName } from "./events.js";
import type { ResolvedOptions } from "./options.js";
import type { Poller } from "./poller.js";
import type { LinkState } from "./status.js";

/** What the link needs from the client (internal). */
export interface LinkHost {
  /** The id to resume after. */
  lastEventId(): string | undefined;
  /** A `booking` or `resync` event (or another event the client does not interpret). */
  message(name: string, data: string, id: string | undefined): void;
  /** The link changed: recompute the status. */
  update(reason: StatusReason, error?: RealtimeBookingsError): void;
  /** Stop for good (401, 403, 204). */
  stop(error: RealtimeBookingsError): void;
  /** Report a recoverable error. */
  report(error: RealtimeBookingsError): void;
  /** The backoff delay before retry `attempt`, with `baseMs` replaced by the server's `retry:`. */
  delay(attempt: number, baseMs?: number): number;
}

/** The stream and its polling fallback (internal). */
export interface Link {
  /** Where the stream and the fallback are. */
  readonly state: LinkState;
  /** Attempts (and, in the fallback, polls) that failed in a row. */
  readonly failures: number;
  /** Connects (polls when there is no SSE transport); call after `stop()`. */
  start(): void;
  /** Closes the connection and cancels every timer; the link can start again. */
  stop(): void;
  /** Catches up now (the tab became active): reconnects if waiting, and polls or checks the version. */
  wake(): void;
  /** A poll of the fallback finished. */
  polled(ok: boolean, failures: number): void;
}

/**
 * Creates the link (internal): opens the stream (see {@link createConnection}), rebuilds it with
 * backoff, and after `fallbackAfter` failures (or a stream that stalls twice in a row, which is what
 * a buffering proxy does) polls the version endpoint while SSE is retried in the background. After
 * such stalls, a stream that opens is trusted (live) only once it delivers an event. An attempt the
 * server refused with `Retry-After` (seen by the fetch transport only) waits that long instead of the
 * backoff, and nothing (a poll that works again, the tab waking) brings the next attempt sooner.
 */
export function createLink(
  env: RealtimeEnvironment,
  options: ResolvedOptions,
  kind: TransportName | null,
  poller: Poller,
  host: LinkHost,
  stallOption: number | undefined,
): Link {
  const { versionUrl } = options;
  const idle: LinkState = { fallback: false, stream: "idle" };
  let link: LinkState = idle;
  let failures = 0;
  let pollFailures = 0;
  let stalls = 0;
  let openedAt = 0;
  /** The pending retry waits for the server's `Retry-After`: nothing may bring it sooner. */
  let held = false;
  let reconnectTimer: unknown;

  const later = (callback: () => void, ms: number): unknown => env.setTimeout(callback, ms);
  const live = (): void => {
    openedAt = env.now();
    if (link.fallback) {
      poller.stop(true);
      pollFailures = 0;
    }
    link = { fallback: false, stream: "open" };
    host.update("open");
  };
  const connection = kind
    ? createConnection(env, options, kind, stallOption, {
        opened: () => stalls < 2 && live(),
        message: (name, data, id) => {
          stalls = 0;
          if (link.stream !== "open") live();
          host.message(name, data, id);
        },
        dropped: drop,
        resume: host.lastEventId,
      })
    : undefined;
  const connect = (): void => {
    env.clearTimeout(reconnectTimer);
    link = { ...link, stream: "connecting" } as LinkState;
    connection?.open();
  };

  // A declaration, hoisted: the connection above takes it as its `dropped`.
  function drop(error: RealtimeBookingsError): void {
    if (error.fatal) return host.stop(error);
    const wasOpen = link.stream === "open";
    if (wasOpen && env.now() - openedAt >= options.healthyAfterMs) failures = 0;
    failures++;
    const { code } = error;
    const buffered = code === "stalled" && ++stalls > 1;
    const wait = retryWait(error, env.random);
    let reason: StatusReason = wait ? "retry_after" : code === "stalled" || code === "timeout" ? code : "dropped";
    // A browser's EventSource hides the HTTP status: ask the version endpoint, which answers 401/403
    // too when the session is gone (and catches a change made while the stream was down).
    if (kind === "eventsource" && error.status === undefined && !wasOpen && !link.fallback) void poller.check();
    if (!link.fallback && versionUrl && (failures >= options.fallbackAfter || buffered)) {
      reason = buffered ? "buffered" : "fallback";
      link = { fallback: true, stream: "waiting", pollOk: false };
      poller.poll();
    } else {
      link = { ...link, stream: "waiting" } as LinkState;
    }
    // Waiting and connecting again are both "reconnecting": the retry itself changes no status. A
    // `Retry-After` (429, 503: the hub is full or draining) replaces the backoff.
    held = !!wait;
    reconnectTimer = later(connect, wait ?? host.delay(failures - 1, connection?.retryMs));
    host.update(reason, error);
    host.report(error);
  }

  return {
    get state() {
      return link;
    },
    get failures() {
      return failures + pollFailures;
    },
    start() {
      if (kind) {
        connect();
        void poller.check();
      } else {
        link = { fallback: true, stream: "idle", pollOk: false };
        poller.poll();
      }
    },
    stop() {
      connection?.close();
      env.clearTimeout(reconnectTimer);
      poller.stop();
      link = idle;
      failures = pollFailures = stalls = 0;
    },
    wake() {
      if (link.stream === "waiting" && !held) connect();
      if (link.fallback) poller.poll();
      else void poller.check();
    },
    polled(ok, count) {
      if (!link.fallback) return;
      const recovered = ok && !link.pollOk;
      pollFailures = count;
      link = { ...link, pollOk: ok };
      // A poll that works again suggests the hub is back: try SSE soon, not only on the backoff schedule.
      if (recovered && link.stream === "waiting" && !held) {
        env.clearTimeout(reconnectTimer);
        reconnectTimer = later(connect, host.delay(0));
      }
      host.update("poll");
    },
  };
}
