/**
 * Something that dispatches events by name: `window`, `document`, an `AbortSignal`, an `EventTarget`.
 *
 * @example
 * ```ts
 * const network: EventTargetLike = new EventTarget(); // dispatch "online" / "offline" on it in a test
 * ```
 */
export interface EventTargetLike {
  /** Adds a listener. */
  addEventListener(type: string, listener: (event: unknown) => void): void;
  /** Removes a listener added with the same arguments. */
  removeEventListener(type: string, listener: (event: unknown) => void): void;
}

/**
 * The part of a `MessageEvent` (or an `error` event) the native transport reads. An `error` event
 * with a numeric `code` (as the `eventsource` package sends) tells the client the HTTP status.
 *
 * @example
 * ```ts
 * const event: EventSourceEventLike = { data: '{"type":"create","data":{…}}', lastEventId: "1732800000000-0" };
 * ```
 */
export interface EventSourceEventLike {
  /** The event's data (message events). */
  readonly data?: unknown;
  /** The last event id the source has seen (message events). */
  readonly lastEventId?: string;
}

/**
 * The part of an `EventSource` instance the native transport uses.
 *
 * @example
 * ```ts
 * const source: EventSourceLike = new EventSource("/api/bookings/events");
 * ```
 */
export interface EventSourceLike {
  /** Adds a listener for `open`, `error` or a named event. */
  addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void;
  /** Closes the connection for good. */
  close(): void;
}

/**
 * An `EventSource` constructor: the browser's, or a spec-compliant one such as the `eventsource`
 * package in Node.
 *
 * @example
 * ```ts
 * import { EventSource } from "eventsource";
 * const Source: EventSourceConstructor = EventSource;
 * ```
 */
export type EventSourceConstructor = new (url: string, init: { withCredentials: boolean }) => EventSourceLike;

/**
 * The request options the client passes to {@link FetchLike}.
 *
 * @example
 * ```ts
 * const init: FetchLikeInit = { headers: { Accept: "text/event-stream" }, credentials: "same-origin", cache: "no-store", signal };
 * ```
 */
export interface FetchLikeInit {
  /** `POST` for a stream ticket (the native transport with a `token`); `undefined` (GET) otherwise. */
  readonly method?: string | undefined;
  /** Request headers. */
  readonly headers: Record<string, string>;
  /** `include` when `withCredentials` is on, else `same-origin`. */
  readonly credentials: "include" | "same-origin";
  /** Always `no-store`: the client does its own conditional requests. */
  readonly cache: "no-store";
  /** Aborts the request and its body. */
  readonly signal: AbortSignal;
}

/**
 * The part of a body reader the fetch transport uses.
 *
 * @example
 * ```ts
 * const reader: ReaderLike = response.body!.getReader();
 * ```
 */
export interface ReaderLike {
  /** Reads the next chunk. */
  read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
  /** Stops reading. */
  cancel(reason?: unknown): Promise<void>;
}

/**
 * The part of a `Response` the client uses.
 *
 * @example
 * ```ts
 * const response: FetchLikeResponse = await fetch("/api/bookings/version");
 * ```
 */
export interface FetchLikeResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The response headers. */
  readonly headers: { get(name: string): string | null };
  /** The streamed body. */
  readonly body: { getReader(): ReaderLike; cancel(): Promise<void> } | null;
  /** The whole body as text (error bodies and version bodies). */
  text(): Promise<string>;
}

/**
 * A `fetch` function, or anything that behaves like one for GET requests.
 *
 * @example
 * ```ts
 * const logged: FetchLike = (url, init) => (console.debug("GET", url), fetch(url, init));
 * new RealtimeBookings({ streamUrl, environment: { fetch: logged } });
 * ```
 */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;

/**
 * The part of the Web Locks API (`navigator.locks`) tab sharing uses to elect the tab that holds
 * the stream.
 *
 * @example
 * ```ts
 * const locks: LockManagerLike = navigator.locks;
 * ```
 */
export interface LockManagerLike {
  /**
   * Runs `callback` once the lock is granted and holds the lock until the promise it returns
   * settles. `steal` takes the lock from its holder (whose request then rejects); `signal` abandons a
   * request not granted yet.
   */
  request(name: string, options: { signal?: AbortSignal; steal?: boolean }, callback: () => Promise<void> | undefined): Promise<unknown>;
}

/**
 * The part of a `BroadcastChannel` tab sharing uses.
 *
 * @example
 * ```ts
 * const channel: BroadcastChannelLike = new BroadcastChannel("realtime-bookings");
 * ```
 */
export interface BroadcastChannelLike {
  /** Sends a message to the other instances of the channel (never to itself). */
  postMessage(message: unknown): void;
  /** Receives the messages of the other instances. */
  onmessage: ((event: { data: unknown }) => void) | null;
  /** Leaves the channel. */
  close(): void;
}

/**
 * Everything the client takes from its surroundings. In a browser the defaults from
 * {@link browserEnvironment} are right; tests and unusual hosts (web views, Node) replace parts of it
 * through the `environment` option, so the client never touches `window` or `document` itself.
 *
 * @example
 * ```ts
 * import { EventSource } from "eventsource";
 * new RealtimeBookings({ streamUrl, environment: { EventSource, random: () => 0.5 } });
 * ```
 */
export interface RealtimeEnvironment {
  /** The `EventSource` constructor, if there is one. @defaultValue `globalThis.EventSource` */
  readonly EventSource: EventSourceConstructor | undefined;
  /** The `fetch` function, if there is one. @defaultValue `globalThis.fetch`, looked up on each call */
  readonly fetch: FetchLike | undefined;
  /** Schedules a callback. @defaultValue `globalThis.setTimeout` */
  readonly setTimeout: (callback: () => void, ms: number) => unknown;
  /** Cancels a scheduled callback. @defaultValue `globalThis.clearTimeout` */
  readonly clearTimeout: (handle: unknown) => void;
  /** Returns a number in `[0, 1)` for the backoff jitter. @defaultValue `Math.random` */
  readonly random: () => number;
  /** Returns the time in milliseconds. @defaultValue `Date.now` */
  readonly now: () => number;
  /** Whether the browser reports a network. @defaultValue `navigator.onLine !== false` */
  readonly isOnline: () => boolean;
  /** Whether the page is visible. @defaultValue `document.visibilityState !== "hidden"` */
  readonly isVisible: () => boolean;
  /** Where `online`, `offline` and `pageshow` fire. @defaultValue `window` */
  readonly onlineTarget: EventTargetLike | undefined;
  /** Where `visibilitychange` and `resume` fire. @defaultValue `document` */
  readonly visibilityTarget: EventTargetLike | undefined;
  /** Web Locks, for tab sharing (the sharing module reads the default). @defaultValue `navigator.locks` */
  readonly locks?: LockManagerLike | undefined;
  /**
   * The `BroadcastChannel` constructor, for tab sharing (the sharing module reads the default).
   * @defaultValue `globalThis.BroadcastChannel`
   */
  readonly BroadcastChannel?: (new (name: string) => BroadcastChannelLike) | undefined;
}

/**
 * The environment of a browser page, read from the globals when called (never at import, so the
 * package imports without error in Node or a worker). Timers, `fetch` and the clock are looked up on
 * each call, so test tools that patch them (fake timers, msw) work even after construction.
 *
 * @returns the defaults for {@link RealtimeEnvironment}
 * @example
 * ```ts
 * const env = { ...browserEnvironment(), isVisible: () => true };
 * ```
 */
export function browserEnvironment(): RealtimeEnvironment {
  const g = globalThis as unknown as Partial<Window & { EventSource: EventSourceConstructor }>;
  return {
    EventSource: g.EventSource,
    fetch: g.fetch && ((url, init) => fetch(url, init as RequestInit)),
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as number),
    random: Math.random,
    now: Date.now,
    isOnline: () => g.navigator?.onLine !== false,
    isVisible: () => g.document?.visibilityState !== "hidden",
    onlineTarget: g.addEventListener && (g as EventTargetLike),
    visibilityTarget: g.document,
  };
}
