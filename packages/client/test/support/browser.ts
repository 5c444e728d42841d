// A fake browser around the client: online/offline and visibility under the test's control, event
// targets that count their listeners, and EventSource variants for the native transport.
import { EventSource as SpecEventSource } from "eventsource";
import type { EventSourceConstructor, EventSourceEventLike, EventSourceLike, RealtimeBookingsOptions } from "../../src/index.js";

/** An EventTarget that counts the listeners currently attached. */
export class CountingTarget extends EventTarget {
  listeners = 0;
  override addEventListener(...args: Parameters<EventTarget["addEventListener"]>): void {
    this.listeners++;
    super.addEventListener(...args);
  }
  override removeEventListener(...args: Parameters<EventTarget["removeEventListener"]>): void {
    this.listeners--;
    super.removeEventListener(...args);
  }
}

export function fakeBrowser() {
  const window = new CountingTarget();
  const document = new CountingTarget();
  let online = true;
  let visible = true;
  return {
    window,
    document,
    environment: {
      random: () => 0.5,
      isOnline: () => online,
      isVisible: () => visible,
      onlineTarget: window,
      visibilityTarget: document,
    },
    setOnline(value: boolean): void {
      online = value;
      window.dispatchEvent(new Event(value ? "online" : "offline"));
    },
    setVisible(value: boolean): void {
      visible = value;
      document.dispatchEvent(new Event("visibilitychange"));
    },
  };
}

/**
 * A browser's EventSource as far as the client can tell: the `eventsource` package (spec-compliant)
 * with the HTTP status removed from `error` events, because browsers do not expose it.
 */
export class BrowserLikeEventSource implements EventSourceLike {
  readonly #inner: SpecEventSource;
  constructor(url: string, init: { withCredentials: boolean }) {
    this.#inner = new SpecEventSource(url, init);
  }
  addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void {
    this.#inner.addEventListener(type, (event) => listener(type === "error" ? {} : (event as MessageEvent)));
  }
  close(): void {
    this.#inner.close();
  }
}

/** The three ways the client can stream, each run through the same behaviour suite. */
export const TRANSPORTS = {
  /** The `eventsource` package: spec-compliant, and its `error` events carry the status. */
  eventsource: { transport: "eventsource", EventSource: SpecEventSource as unknown as EventSourceConstructor },
  /** A browser's EventSource: the status of a failed connection is hidden. */
  "eventsource (browser)": { transport: "eventsource", EventSource: BrowserLikeEventSource as EventSourceConstructor },
  /** fetch + the client's SSE parser. */
  fetch: { transport: "fetch", EventSource: undefined },
} as const satisfies Record<string, { transport: RealtimeBookingsOptions["transport"]; EventSource: EventSourceConstructor | undefined }>;

export type TransportCase = keyof typeof TRANSPORTS;
