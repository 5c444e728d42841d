import { SSE_EVENTS } from "@realtime-bookings/protocol";
import { backoffDelay } from "./backoff.js";
import { createCoalescer } from "./coalescer.js";
import { type Emitter, createEmitter } from "./emitter.js";
import { type EventTargetLike, type RealtimeEnvironment, browserEnvironment } from "./environment.js";
import { RealtimeBookingsError } from "./errors.js";
import type { RealtimeBookingsEventMap, RefreshInfo, StatusReason, TransportName } from "./events.js";
import { get, resolveHeaders } from "./http.js";
import { type RealtimeBookingsOptions, resolveOptions } from "./options.js";
import { parseChange, parseResync, parseVersion } from "./parse.js";
import { type RealtimeStatus, type StreamPhase, deriveStatus } from "./status.js";
import { openEventSource } from "./transports/eventsource.js";
import { openFetchStream } from "./transports/fetch.js";
import type { Transport, TransportHandlers } from "./transports/transport.js";

/** What the public class reads (internal). */
export interface CoreState {
  status: RealtimeStatus;
  readonly transport: TransportName | null;
  enabled: boolean;
  closed: boolean;
  error: RealtimeBookingsError | undefined;
  lastEventId: string | undefined;
}

/** The state machine behind {@link RealtimeBookings} (internal). */
export interface Core {
  readonly state: Readonly<CoreState>;
  readonly emitter: Emitter<RealtimeBookingsEventMap>;
  enable(): void;
  disable(): void;
  close(): void;
}

/**
 * Builds and starts the client's state machine (internal). A closure rather than a class: every
 * piece of state is a local variable, which keeps the `<script>` bundle within its budget.
 *
 * The facts it tracks (enabled, fatal error, online, paused, stream phase, failures, fallback, last
 * poll) are reduced to the public status by the pure {@link deriveStatus}; `update()` emits `status`
 * only when that result changes. Every connection attempt gets a generation number, and callbacks of
 * an older generation are ignored, so a late event from a connection already replaced cannot act.
 */
export function createCore(input: RealtimeBookingsOptions): Core {
  const options = resolveOptions(input);
  const env: RealtimeEnvironment = { ...browserEnvironment(), ...input.environment };
  const { EventSource, fetch, now, random } = env;
  const { streamUrl, versionUrl, headers, token, reconnect, pauseWhenHidden } = options;
  const withCredentials = !!options.withCredentials;
  const needsHeaders = headers !== undefined || token !== undefined;
  const kind: TransportName | null =
    EventSource && options.transport !== "fetch" && !needsHeaders ? "eventsource" : fetch && options.transport !== "eventsource" ? "fetch" : null;

  const state: CoreState = { status: "connecting", transport: kind, enabled: input.enabled ?? true, closed: false, error: undefined, lastEventId: undefined };
  const emitter = createEmitter<RealtimeBookingsEventMap>();
  const report = (error: RealtimeBookingsError): void => emitter.emit("error", error);

  let online = env.isOnline();
  let paused = false;
  let pendingStart = true;
  let stream: StreamPhase = "idle";
  let failures = 0;
  let fallback = false;
  let pollOk = false;
  let pollFailures = 0;
  let pollSession = 0;
  let generation = 0;
  let connection: Transport | undefined;
  let openedAt = 0;
  let serverRetryMs: number | undefined;
  let reconnectTimer: unknown;
  let pollTimer: unknown;
  let versionTimer: unknown;
  let knownVersion = options.initialVersion;
  let etag: string | undefined;
  let versionStale = false;
  let versionCheck: Promise<boolean> | undefined;
  let versionAbort: AbortController | undefined;
  const cleanups: Array<() => void> = [];

  const later = (callback: () => void, ms: number): unknown => env.setTimeout(callback, ms);
  const clear = (timer: unknown): undefined => {
    if (timer !== undefined) env.clearTimeout(timer);
    return undefined;
  };
  const delay = (attempt: number, baseMs = reconnect.baseMs): number => backoffDelay(attempt, { ...reconnect, baseMs, random });
  const canRun = (): boolean => state.enabled && !state.closed && !state.error && online && !paused;

  const update = (reason: StatusReason, error?: RealtimeBookingsError): void => {
    const previous = state.status;
    const current = deriveStatus({
      enabled: state.enabled,
      fatal: state.error,
      online,
      paused,
      stream,
      failures: failures + pollFailures,
      fallback,
      pollOk,
    });
    if (current === previous) return;
    state.status = current;
    emitter.emit("status", { previous, current, reason, error });
  };

  const coalescer = createCoalescer(env, options.coalesceMs, options.coalesceMaxMs, (info: RefreshInfo) => {
    emitter.emit("refresh", info);
    return options.onRefresh?.(info);
  });

  // ---- lifecycle --------------------------------------------------------------------------------

  /** Closes the connection and cancels every timer and request; the client can start again. */
  const teardown = (): void => {
    generation++;
    pollSession++;
    connection?.close();
    versionAbort?.abort();
    connection = versionAbort = versionCheck = undefined;
    reconnectTimer = clear(reconnectTimer);
    pollTimer = clear(pollTimer);
    versionTimer = clear(versionTimer);
    stream = "idle";
    fallback = pollOk = false;
    failures = pollFailures = 0;
  };

  /** Stops for good (until `enable()`): status `error`. */
  const stop = (error: RealtimeBookingsError): void => {
    state.error = error;
    teardown();
    update("fatal", error);
    report(error);
  };

  /** (Re)starts from a clean slate: connect (or poll when there is no SSE transport) and check the version. */
  const start = (reason: StatusReason): void => {
    pendingStart = false;
    teardown();
    if (!canRun()) return update(reason);
    if (kind) {
      connect();
      void checkVersion();
    } else if (versionUrl && fetch) {
      enterFallback();
    } else {
      return stop(new RealtimeBookingsError("unsupported"));
    }
    update(reason);
  };

  // ---- the stream -------------------------------------------------------------------------------

  /** Opens the stream; called with no connection open (after a drop, or after `teardown()`). */
  const connect = (): void => {
    reconnectTimer = clear(reconnectTimer);
    const mine = ++generation;
    const current = (): boolean => mine === generation;
    stream = "connecting";
    const handlers: TransportHandlers = {
      open: () => current() && handleOpen(),
      message: (name, data, id) => current() && handleMessage(name, data, id),
      // The server's retry: is the backoff base, but never below 100 ms: `retry: 0` must not turn a
      // failing server into a reconnect loop.
      retry: (ms) => current() && (serverRetryMs = Math.max(100, ms)),
      close: (error) => current() && handleDrop(error),
    };
    const request = { url: streamUrl, lastEventId: state.lastEventId, withCredentials, headers: {} };
    if (kind === "eventsource") {
      connection = openEventSource(EventSource!, request, handlers);
    } else {
      resolveHeaders(headers, token).then(
        (resolved) => current() && (connection = openFetchStream(fetch!, env, { ...request, headers: resolved }, handlers, options.heartbeatTimeoutMs)),
        handlers.close,
      );
    }
  };

  const handleOpen = (): void => {
    stream = "open";
    openedAt = now();
    if (fallback) {
      pollSession++;
      pollTimer = clear(pollTimer);
      fallback = pollOk = false;
      pollFailures = 0;
    }
    update("open");
  };

  const handleMessage = (name: string, data: string, id: string | undefined): void => {
    if (id) state.lastEventId = id;
    if (name === SSE_EVENTS.resync) {
      state.lastEventId = undefined;
      versionStale = true;
      coalescer.add("resync");
      emitter.emit("resync", parseResync(data));
    } else if (name === SSE_EVENTS.booking) {
      const change = parseChange(data, id);
      versionStale = true;
      coalescer.add("change", change);
      if (change) emitter.emit("change", change);
      else report(new RealtimeBookingsError("invalid_event"));
    }
  };

  const handleDrop = (error: RealtimeBookingsError): void => {
    connection = undefined;
    if (error.fatal) return stop(error);
    const wasOpen = stream === "open";
    if (wasOpen && now() - openedAt >= options.healthyAfterMs) failures = 0;
    failures++;
    stream = "waiting";
    let reason: StatusReason = "dropped";
    // A browser's EventSource hides the HTTP status: ask the version endpoint, which answers 401/403
    // too when the session is gone (and catches a change made while the stream was down).
    if (kind === "eventsource" && error.status === undefined && !wasOpen && !fallback) void checkVersion();
    if (!fallback && versionUrl && failures >= options.fallbackAfter) {
      reason = "fallback";
      enterFallback();
    }
    // Waiting and connecting again are both "reconnecting": the retry itself changes no status.
    reconnectTimer = later(connect, delay(failures - 1, serverRetryMs));
    update(reason, error);
    report(error);
  };

  // ---- polling and version checks ---------------------------------------------------------------

  /** Starts polling (`pollOk` and `pollFailures` are already reset whenever `fallback` is off). */
  const enterFallback = (): void => {
    fallback = true;
    poll();
  };

  const poll = (): void => {
    pollTimer = clear(pollTimer);
    const session = ++pollSession;
    void checkVersion().then((ok) => {
      if (session !== pollSession || !fallback) return;
      pollOk = ok;
      pollFailures = ok ? 0 : pollFailures + 1;
      pollTimer = later(poll, ok ? options.pollIntervalMs : Math.max(options.pollIntervalMs, delay(pollFailures - 1)));
      update("poll");
    });
  };

  /**
   * GETs the version endpoint (one request at a time: concurrent callers share it), with
   * `If-None-Match` when an ETag is known, and applies the answer. Resolves `true` when it succeeded.
   */
  const checkVersion = (): Promise<boolean> => {
    if (!versionUrl || !fetch) return Promise.resolve(false);
    if (versionCheck) return versionCheck;
    const controller = new AbortController();
    const mine = (): boolean => versionAbort === controller;
    versionAbort = controller;
    versionTimer = later(() => controller.abort(), options.requestTimeoutMs);
    const request = async (): Promise<boolean> => {
      const resolved = { ...(etag && { "If-None-Match": etag }), ...(await resolveHeaders(headers, token)) };
      const response = await get(fetch, versionUrl, resolved, withCredentials, controller.signal);
      const version = response.status === 304 ? knownVersion : parseVersion(await response.text());
      if (version === undefined) throw new RealtimeBookingsError("invalid_response", { status: response.status });
      if (mine()) {
        etag = response.headers.get("etag") ?? etag;
        applyVersion(version);
      }
      return true;
    };
    return (versionCheck = request()
      .catch((error: RealtimeBookingsError) => {
        if (mine()) {
          // Aborted while still ours: only the request timer does that (`teardown()` disowns first).
          if (controller.signal.aborted) error = new RealtimeBookingsError("timeout");
          if (error.fatal) stop(error);
          else report(error);
        }
        return false;
      })
      .finally(() => {
        controller.abort();
        if (mine()) versionAbort = versionCheck = versionTimer = clear(versionTimer);
      }));
  };

  const applyVersion = (version: string | undefined): void => {
    const known = knownVersion;
    const stale = versionStale;
    knownVersion = version;
    versionStale = false;
    // A different version means a change, unless the open stream delivered changes since the last
    // check: then the difference is theirs, and they were refreshed.
    if (known !== undefined && version !== known && !(stale && stream === "open")) coalescer.add("version");
  };

  // ---- the environment --------------------------------------------------------------------------

  const handleVisibility = (): void => {
    if (state.closed) return;
    if (!env.isVisible()) {
      if (pauseWhenHidden && !paused) {
        paused = true;
        teardown();
        update("hidden");
      }
    } else if (paused) {
      paused = false;
      start("visible");
    } else if (canRun() && !pendingStart) {
      // Hidden tabs run timers about once a minute: catch up now instead of at the next tick.
      if (stream === "waiting") connect();
      if (fallback) poll();
      else void checkVersion();
    }
  };

  const listen = (target: EventTargetLike | undefined, type: string, listener: () => void): void => {
    if (!target) return;
    target.addEventListener(type, listener);
    cleanups.push(() => target.removeEventListener(type, listener));
  };

  const close = (): void => {
    if (state.closed) return;
    teardown();
    state.closed = true;
    state.enabled = pendingStart = false;
    coalescer.dispose();
    for (const cleanup of cleanups.splice(0)) cleanup();
    update("close");
    emitter.clear();
  };

  listen(env.onlineTarget, "online", () => {
    if (state.closed || online) return;
    online = true;
    start("online");
  });
  listen(env.onlineTarget, "offline", () => {
    if (state.closed || !online) return;
    online = false;
    teardown();
    update("offline");
  });
  listen(env.visibilityTarget, "visibilitychange", handleVisibility);
  const { signal } = input;
  if (signal?.aborted) close();
  else listen(signal, "abort", close);
  update("start");
  if (!env.isVisible()) handleVisibility();
  void Promise.resolve().then(() => pendingStart && start("start"));

  return {
    state,
    emitter,
    enable() {
      if (state.closed || (state.enabled && !state.error)) return;
      state.enabled = true;
      state.error = undefined;
      start("enable");
    },
    disable() {
      if (state.closed || !state.enabled) return;
      state.enabled = false;
      teardown();
      update("disable");
    },
    close,
  };
}
