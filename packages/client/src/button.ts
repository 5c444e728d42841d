import type { RealtimeBookings } from "./client.js";
import type { RealtimeStatus } from "./status.js";

/**
 * The part of `localStorage` the status button uses.
 *
 * @example
 * ```ts
 * mountStatusButton(realtime, button, { storage: sessionStorage });
 * ```
 */
export interface StorageLike {
  /** Reads a value. */
  getItem(key: string): string | null;
  /** Writes a value. */
  setItem(key: string, value: string): void;
}

/**
 * The part of a {@link RealtimeBookings} client the status button uses.
 *
 * @example
 * ```ts
 * const client: StatusButtonClient = new RealtimeBookings({ streamUrl: "/api/bookings/events" });
 * ```
 */
export type StatusButtonClient = Pick<RealtimeBookings, "status" | "enabled" | "error" | "enable" | "disable" | "on">;

/**
 * Options of {@link mountStatusButton}.
 *
 * @example
 * ```ts
 * const options: StatusButtonOptions = { labels: { live: "Temps réel", polling: "Sondage" }, storageKey: "rt:on" };
 * ```
 */
export interface StatusButtonOptions {
  /** Replaces some of the {@link DEFAULT_LABELS} (e.g. to translate them). */
  readonly labels?: Partial<Record<RealtimeStatus, string>> | undefined;
  /**
   * Text dots per status, shown instead of the CSS dot (for example {@link DEFAULT_DOTS}: emoji,
   * which need an emoji font); the others keep the {@link DEFAULT_DOTS}.
   */
  readonly dots?: Partial<Record<RealtimeStatus, string>> | undefined;
  /**
   * The storage key that remembers the user's choice (`"1"` on, `"0"` off); `null` remembers nothing.
   * @defaultValue "realtime-bookings:enabled"
   */
  readonly storageKey?: string | null | undefined;
  /**
   * Where the choice is remembered; `null` remembers nothing.
   * @defaultValue `localStorage` (when the browser allows it)
   */
  readonly storage?: StorageLike | null | undefined;
}

/**
 * A mounted status button.
 *
 * @example
 * ```ts
 * const mounted: StatusButton = mountStatusButton(realtime, button);
 * mounted.destroy();
 * ```
 */
export interface StatusButton {
  /** The `<button>`. */
  readonly element: HTMLButtonElement;
  /** The visually hidden polite live region that announces status changes. */
  readonly liveRegion: HTMLElement;
  /** Removes the listeners and the live region; the button keeps its last state. */
  destroy(): void;
}

/**
 * The label of each status, in the words of the original system.
 *
 * @example
 * ```ts
 * mountStatusButton(realtime, button, { labels: { ...DEFAULT_LABELS, disabled: "Live updates off" } });
 * ```
 */
export const DEFAULT_LABELS: Readonly<Record<RealtimeStatus, string>> = {
  connecting: "Connecting…",
  live: "Real-time (SSE)",
  polling: "Polling",
  reconnecting: "Reconnecting…",
  offline: "Disconnected",
  paused: "Paused",
  error: "Disconnected",
  disabled: "Real-time off",
};

/**
 * Emoji dots for each status, in the original system's colours (see `statusColor`): 🟢 live or
 * polling, 🟡 connecting or reconnecting, 🔴 offline or error, ⚪ paused or disabled. The button
 * draws its dot with CSS (no emoji font needed) and keeps the emoji only as the dot's transparent
 * text, which screen readers read; pass a `dots` option to show text dots instead.
 *
 * @example
 * ```ts
 * mountStatusButton(realtime, button, { dots: DEFAULT_DOTS });
 * ```
 */
export const DEFAULT_DOTS: Readonly<Record<RealtimeStatus, string>> = {
  connecting: "🟡",
  live: "🟢",
  polling: "🟢",
  reconnecting: "🟡",
  offline: "🔴",
  paused: "⚪",
  error: "🔴",
  disabled: "⚪",
};

function attempt<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    // Storage can throw (Safari private mode, sandboxed iframes): the button then remembers nothing.
    return undefined;
  }
}

/** The CSS dot's colour per default emoji dot; `--rb-dot` on the button (or an ancestor) replaces it. */
const HEX: Readonly<Record<string, string>> = { "🟢": "#1a7f37", "🟡": "#d4a72c", "🔴": "#cf222e", "⚪": "#8c959f" };

/**
 * Shows the client's status as the original system did (green live or polling, yellow reconnecting,
 * red disconnected) in a real `<button class="rb-status">` that turns real-time updates on and off:
 * the dot is drawn with CSS (its colour from the custom property `--rb-dot` when set, e.g.
 * `.rb-status[data-status="polling"] { --rb-dot: #0969da }`), `aria-pressed` says whether updates are
 * on, `data-status` is the styling hook, `title` carries the error
 * of a stopped client, and a visually hidden `role="status"` (polite) live region announces changes. The user's choice
 * is remembered in `localStorage` and applied at once: mounted right after `new RealtimeBookings(…)`,
 * a remembered "off" takes effect before the first connection.
 *
 * @param client - the client to show and toggle
 * @param button - the `<button>` to take over (its content is replaced; it gets `type="button"` and
 *   the class `rb-status`); the live region is appended to its parent
 * @param options - labels, dots and storage
 * @returns the button and a `destroy()`; it destroys itself when the client closes
 * @example
 * ```ts
 * const realtime = new RealtimeBookings({ streamUrl: "/api/bookings/events", onRefresh: () => location.reload() });
 * mountStatusButton(realtime, document.querySelector("button#realtime-status")!);
 * ```
 */
export function mountStatusButton(client: StatusButtonClient, button: HTMLButtonElement, options: StatusButtonOptions = {}): StatusButton {
  const make = (parent: Element): HTMLElement => parent.appendChild(parent.ownerDocument.createElement("span"));
  button.textContent = "";
  button.type = "button";
  button.classList.add("rb-status");
  const dot = make(button);
  const label = make(button);
  const region = make(button.parentElement ?? button);
  const labels = { ...DEFAULT_LABELS, ...options.labels };
  const dots = { ...DEFAULT_DOTS, ...options.dots };
  const css = !options.dots;
  const { storageKey: key = "realtime-bookings:enabled", storage = attempt(() => localStorage) } = options;

  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  region.style.cssText = "position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)";
  // The CSS dot keeps the emoji as its text, out of sight: screen readers read it, no emoji font is needed.
  if (css) dot.style.cssText = "display:inline-block;width:.6em;height:.6em;margin-right:.4em;border-radius:50%;overflow:hidden;color:transparent";

  const render = (announce?: boolean): void => {
    const { status, enabled, error } = client;
    dot.textContent = dots[status];
    if (css) dot.style.background = `var(--rb-dot,${HEX[dots[status]]})`;
    label.textContent = labels[status];
    button.dataset["status"] = status;
    button.setAttribute("aria-pressed", String(enabled));
    button.title = error?.message ?? "";
    if (announce) region.textContent = labels[status];
  };
  const onClick = (): void => {
    const on = !client.enabled;
    if (on) client.enable();
    else client.disable();
    if (key) attempt(() => storage?.setItem(key, on ? "1" : "0"));
    render();
  };
  // The remembered choice is applied before subscribing, so restoring it is not announced.
  const stored = key && attempt(() => storage?.getItem(key));
  if (stored === "0") client.disable();
  if (stored === "1") client.enable();
  const unsubscribe = client.on("status", ({ reason }) => {
    render(true);
    if (reason === "close") destroy();
  });
  const destroy = (): void => {
    unsubscribe();
    button.removeEventListener("click", onClick);
    region.remove();
  };
  button.addEventListener("click", onClick);
  render();
  return { element: button, liveRegion: region, destroy };
}
