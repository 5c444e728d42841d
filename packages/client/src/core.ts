import { jittered } from "./backoff.js";
import { newClientId } from "./client-id.js";
import { createCoalescer } from "./coalescer.js";
import { type Emitter, createEmitter } from "./emitter.js";
import { type EventTargetLike, type RealtimeEnvironment, browserEnvironment } from "./environment.js";
import { RealtimeBookingsError } from "./errors.js";
import type { RealtimeBookingsEventMap, RefreshInfo, StatusReason, TransportName } from "./events.js";
import { type Link, createLink } from "./link.js";
import { type RealtimeBookingsOptions, resolveOptions } from "./options.js";
import { createPoller } from "./poller.js";
import { createReceiver } from "./receiver.js";
import type { TabSharing } from "./share/types.js";
import { type RealtimeStatus, deriveStatus } from "./status.js";

/** What the public class reads (internal). */
export interface CoreState {
  status: RealtimeStatus;
  readonly transport: TransportName | null;
  readonly clientId: string;
  enabled: boolean;
  closed: boolean;
  error?: RealtimeBookingsError | undefined;
  lastEventId?: string | undefined;
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
 * Builds and starts the client (internal): wires the version poller and the link (the stream and
 * its fallback) to the app's events, and follows the page (online, visibility, freeze, back-forward
 * cache). A closure rather than a class: every piece of state is a local variable, which keeps the
 * `<script>` bundle within its budget.
 *
 * The facts (enabled, fatal error, online, paused, the link) are reduced to the public status by the
 * pure {@link deriveStatus}; `update()` emits `status` only when that result changes.
 */
export function createCore(input: RealtimeBookingsOptions, sharing?: TabSharing): Core {
  const options = resolveOptions(input);
  const env: RealtimeEnvironment = { ...browserEnvironment(), ...input.environment };
  const { EventSource, fetch, random } = env;
  const { headers, token, reconnect, pauseWhenHidden } = options;
  const kind: TransportName | null =
    // With a token the native transport is used only when asked for (it then fetches a ticket first).
    EventSource && options.transport !== "fetch" && headers === undefined && (token === undefined || options.transport === "eventsource") ? "eventsource" : fetch && options.transport !== "eventsource" ? "fetch" : null;
  const enabled = input.enabled ?? true;
  const state: CoreState = { status: "connecting", transport: kind, clientId: newClientId(), enabled, closed: false };
  const emitter = createEmitter<RealtimeBookingsEventMap>();
  const report = (error: RealtimeBookingsError): void => emitter.emit("error", error);
  const delay = (attempt: number, baseMs = reconnect.baseMs): number => jittered(attempt, { ...reconnect, baseMs, random });
  const cleanups: Array<() => void> = [];
  let online = env.isOnline();
  let paused = false;
  let pendingStart = true;
  /** The leader's status while another tab holds the stream. */
  let mirror: RealtimeStatus | undefined;

  const canRun = (): boolean => state.enabled && !state.closed && !state.error && online && !paused;
  const update = (reason: StatusReason, error?: RealtimeBookingsError): void => {
    const previous = state.status;
    const current =
      mirror && state.enabled && !state.error ? mirror : deriveStatus({ enabled: state.enabled, fatal: state.error, online, paused, link: link.state, failures: link.failures });
    if (!mirror) share?.status(current, reason);
    if (current === previous) return;
    state.status = current;
    emitter.emit("status", { previous, current, reason, error });
  };
  const coalescer = createCoalescer(env, options.coalesceMs, options.coalesceMaxMs, (info: RefreshInfo) => (emitter.emit("refresh", info), options.onRefresh?.(info)));
  /** Leaves the tab election and closes the stream, polling and every timer of the link. */
  const quit = (): void => {
    share?.leave();
    mirror = undefined;
    link.stop();
  };
  /** Stops for good (until `enable()`): status `error`. */
  const stop = (error: RealtimeBookingsError): void => (state.error = error, quit(), update("fatal", error), report(error));
  const live = (): boolean => !!mirror || link.state.stream === "open";
  const changed = (): unknown => (share ? share.changed() : coalescer.add("version"));
  const poller = createPoller(env, options, { live, changed, polled: (ok, failures) => link.polled(ok, failures), stop, report, delay });
  const receive = createReceiver(state, emitter, coalescer, poller);
  const stallOption = input.heartbeatTimeoutMs === undefined ? undefined : options.heartbeatTimeoutMs;
  const host = { lastEventId: () => state.lastEventId, message: (n: string, d: string, i?: string) => (share ? share.deliver(n, d, i) : receive(n, d, i)), update, stop, report, delay };
  const link: Link = createLink(env, options, kind, poller, host, stallOption);
  // By default only with cookies (the native transport): tabs with their own headers or token may be different viewers.
  const share =
    sharing && (input.shareAcrossTabs ?? (kind === "eventsource" && !token))
      ? sharing(env, options.streamUrl, {
          lead: () => ((mirror = undefined), link.start(), update("start")),
          follow: (status, reason) => (mirror === undefined && link.stop(), (mirror = status), update(reason)),
          receive,
          changed: () => coalescer.add("version"),
        })
      : undefined;

  /** (Re)starts from a clean slate: connect (or poll when there is no SSE transport) and check the version. */
  const start = (reason: StatusReason): void => {
    pendingStart = false;
    link.stop();
    if (!canRun()) return update(reason);
    if (!kind && !(options.versionUrl && fetch)) return stop(new RealtimeBookingsError("unsupported"));
    if (share) share.join();
    else link.start();
    update(reason);
  };
  const halt = (reason: StatusReason): void => (quit(), update(reason));
  const wake = (): void => {
    if (!state.closed && !env.isVisible()) {
      if (pauseWhenHidden && !paused) {
        paused = true;
        halt("hidden");
      }
    } else if (paused) {
      paused = false;
      start("visible");
      // Hidden tabs run timers about once a minute, and frozen ones not at all: catch up now.
    } else if (canRun() && !pendingStart) link.wake();
  };
  const listen = (target: EventTargetLike | undefined, type: string, listener: (event: unknown) => void): unknown =>
    target && (target.addEventListener(type, listener), cleanups.push(() => target.removeEventListener(type, listener)));
  const close = (): void => {
    if (state.closed) return;
    quit();
    state.closed = true;
    state.enabled = pendingStart = false;
    coalescer.dispose();
    for (const cleanup of cleanups.splice(0)) cleanup();
    update("close");
    emitter.clear();
  };

  listen(env.onlineTarget, "online", () => !state.closed && !online && ((online = true), start("online")));
  listen(env.onlineTarget, "offline", () => !state.closed && online && ((online = false), halt("offline")));
  listen(env.visibilityTarget, "visibilitychange", wake);
  listen(env.visibilityTarget, "resume", wake);
  // Back from the back-forward cache, the old connection is gone or stale: one new stream resumes by id.
  listen(env.onlineTarget, "pageshow", (event) => (event as { persisted?: boolean }).persisted && canRun() && start("visible"));
  const { signal } = input;
  if (signal?.aborted) close();
  else listen(signal, "abort", close);
  update("start");
  if (!env.isVisible()) wake();
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
      halt("disable");
    },
    close,
  };
}
