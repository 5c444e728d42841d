import type { Listener } from "./emitter.js";
import type { RealtimeBookingsError } from "./errors.js";
import type { RealtimeBookingsEventMap, TransportName } from "./events.js";
import { type Core, createCore } from "./core.js";
import type { RealtimeBookingsOptions } from "./options.js";
import type { TabSharing } from "./share/types.js";
import type { RealtimeStatus } from "./status.js";

/**
 * Keeps a booking page fresh: listens to the hub's Server-Sent Events stream, hands every booking
 * change to the app, and calls `onRefresh` once per burst of changes. When the stream cannot be kept
 * open, it reconnects with exponential backoff and full jitter, resuming from the last event id, and
 * after `fallbackAfter` failures polls the version endpoint until SSE is back. It stops (status
 * `error`) on 401, 403 and 204 instead of hammering the server, goes quiet while the browser is
 * offline, and checks the version when the tab becomes visible or the network returns.
 *
 * The connection starts in a microtask after construction, so listeners added right after `new`
 * see everything (and a status button can apply a stored "off" before anything connects).
 *
 * @example
 * ```ts
 * const realtime = new RealtimeBookings({
 *   streamUrl: "/api/bookings/events",
 *   versionUrl: "/api/bookings/version",
 *   onRefresh: () => reloadBookings(),
 * });
 * realtime.on("status", ({ current }) => console.log("real-time:", current));
 * realtime.on("change", (change) => console.log(change.type, change.data.id));
 * // later
 * realtime.close();
 * ```
 */
export class RealtimeBookings {
  /**
   * The tab-sharing module, when loaded: `realtime-bookings-share.global.js` sets it, or an app
   * assigns `tabSharing` from `@realtime-bookings/client/share`. Clients created afterwards share
   * one stream per browser (see the `shareAcrossTabs` option).
   *
   * @example
   * ```ts
   * import { tabSharing } from "@realtime-bookings/client/share";
   * RealtimeBookings.tabSharing = tabSharing;
   * ```
   */
  static tabSharing: TabSharing | undefined;

  readonly #core: Core;

  /**
   * Creates the client and starts connecting (in a microtask) unless `enabled: false`.
   *
   * @param options - see {@link RealtimeBookingsOptions}
   * @throws {@link RealtimeBookingsError} `invalid_options` when an option is missing or malformed
   */
  constructor(options: RealtimeBookingsOptions) {
    this.#core = createCore(options, RealtimeBookings.tabSharing);
  }

  /** The current public status; see {@link RealtimeStatus}. */
  get status(): RealtimeStatus {
    return this.#core.state.status;
  }

  /**
   * The SSE transport this client uses: `eventsource` or `fetch`, or `null` when neither exists
   * and it can only poll. While the status is `polling`, changes come from polling, and this
   * transport is retried in the background.
   */
  get transport(): TransportName | null {
    return this.#core.state.transport;
  }

  /**
   * This client's id: random, made when the client is created, so it lasts as long as the page (a
   * page normally has one client). Send it with the page's own writes, as the header `X-Realtime-Client` (or a form field), and
   * have the server publish it as the event's `origin`: the change then arrives here with
   * `own: true` and does not call `onRefresh`, while every other tab refreshes as usual.
   *
   * @example
   * ```ts
   * await fetch("/api/bookings", { method: "POST", headers: { "X-Realtime-Client": realtime.clientId }, body });
   * ```
   */
  get clientId(): string {
    return this.#core.state.clientId;
  }

  /** `false` after `disable()` or `close()` (or with `enabled: false` until `enable()`). */
  get enabled(): boolean {
    return this.#core.state.enabled;
  }

  /** `true` after `close()` or once the `signal` aborted. */
  get closed(): boolean {
    return this.#core.state.closed;
  }

  /** The error that stopped the client (status `error`), if it is stopped. */
  get error(): RealtimeBookingsError | undefined {
    return this.#core.state.error;
  }

  /** The id of the last event received, sent on reconnect to resume; cleared by a `resync`. */
  get lastEventId(): string | undefined {
    return this.#core.state.lastEventId;
  }

  /**
   * Listens to an event; see {@link RealtimeBookingsEventMap}. A listener that throws does not
   * disturb the client or the other listeners: its exception is rethrown in a later microtask, where it
   * shows as an uncaught error (console, `window.onerror`), as with `EventTarget` listeners.
   *
   * @param type - `change`, `refresh`, `resync`, `status` or `error`
   * @param listener - called with the event's payload
   * @returns a function that removes the listener
   * @example
   * ```ts
   * const off = realtime.on("status", ({ previous, current, reason }) => console.log(previous, "→", current, reason));
   * off();
   * ```
   */
  on<K extends keyof RealtimeBookingsEventMap>(type: K, listener: Listener<RealtimeBookingsEventMap[K]>): () => void {
    return this.#core.emitter.on(type, listener);
  }

  /**
   * Removes a listener added with {@link RealtimeBookings.on}.
   *
   * @param type - the event type it was added for
   * @param listener - the same function
   * @example
   * ```ts
   * realtime.off("change", onChange);
   * ```
   */
  off<K extends keyof RealtimeBookingsEventMap>(type: K, listener: Listener<RealtimeBookingsEventMap[K]>): void {
    this.#core.emitter.off(type, listener);
  }

  /**
   * Turns real-time updates on: connects and checks the version (a change made while disabled is not
   * left on screen). After a fatal error (401, 403…), it tries again. Does nothing once closed.
   *
   * @example
   * ```ts
   * await signIn();
   * realtime.enable();
   * ```
   */
  enable(): void {
    this.#core.enable();
  }

  /**
   * Turns real-time updates off: closes the connection, stops polling and every timer; status
   * `disabled`. A refresh already pending for changes received before still runs.
   *
   * @example
   * ```ts
   * toggle.onclick = () => (realtime.enabled ? realtime.disable() : realtime.enable());
   * ```
   */
  disable(): void {
    this.#core.disable();
  }

  /**
   * Frees everything: the connection, every timer, the `online`/`offline`/`visibilitychange` and
   * `signal` listeners, and the app's listeners (after a last `status` event, `disabled` with reason
   * `close`). A pending refresh is dropped. Safe to call more than once.
   *
   * @example
   * ```ts
   * onUnmount(() => realtime.close());
   * ```
   */
  close(): void {
    this.#core.close();
  }
}
