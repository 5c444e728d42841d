import { signedOut } from "./api.js";
import { must } from "./config.js";

/** Which rows a refresh added, changed and removed, by booking id. */
export interface Diff {
  readonly added: number[];
  readonly changed: number[];
  readonly removed: number[];
}

/** How long changed rows stay highlighted. */
export const HIGHLIGHT_MS = 2000;

type Range = { view: string; date: string };

const rowsOf = (root: ParentNode): Map<number, string> =>
  new Map([...root.querySelectorAll<HTMLElement>("[data-booking-id]")].map((row) => [Number(row.dataset["bookingId"]), row.dataset["rev"] ?? ""]));

/**
 * The bookings view: fetches the fragment of the current range from `/bookings` and swaps it in,
 * touching nothing else on the page, so scroll position, an open form and the status button survive.
 * Rows that a refresh added or changed are highlighted; the toolbar follows the range.
 */
export class BookingsView {
  readonly #container: HTMLElement;
  readonly #url: string;
  #range: Range;
  #seq = 0;

  constructor(container: HTMLElement, bookingsUrl: string) {
    this.#container = container;
    this.#url = bookingsUrl;
    const root = must<HTMLElement>(container, ".bookings");
    this.#range = { view: root.dataset["view"] ?? "day", date: root.dataset["date"] ?? "" };
    this.#syncToolbar(root);
  }

  /** The view (`day`/`week`) and date shown. */
  get range(): Readonly<Range> {
    return this.#range;
  }

  /**
   * Shows another range (navigation); the address bar follows.
   *
   * @param push - add a history entry (`false` for back/forward)
   */
  async navigate(view: string, date: string, push = true): Promise<void> {
    this.#range = { view, date };
    if (push) history.pushState(this.#range, "", `/?view=${encodeURIComponent(view)}&date=${encodeURIComponent(date)}`);
    await this.load(false);
  }

  /**
   * Reloads the current range.
   *
   * @param highlight - highlight what changed (a refresh), not a whole new range (navigation)
   * @returns what changed, or `undefined` when a newer load overtook this one
   */
  async load(highlight: boolean): Promise<Diff | undefined> {
    const seq = ++this.#seq;
    const range = this.#range;
    const response = await fetch(`${this.#url}?view=${encodeURIComponent(range.view)}&date=${encodeURIComponent(range.date)}`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.status === 401) {
      signedOut();
      return undefined;
    }
    if (!response.ok) throw new Error(`loading the bookings failed (${response.status})`);
    const text = await response.text();
    if (seq !== this.#seq) return undefined;

    const before = rowsOf(this.#container);
    const focused = this.#focusKey();
    // The fragment is escaped server-side (src/views/html.ts); only this container is replaced.
    this.#container.innerHTML = text;
    const root = must<HTMLElement>(this.#container, ".bookings");
    this.#syncToolbar(root);
    this.#restoreFocus(focused);

    const after = rowsOf(this.#container);
    const diff: Diff = {
      added: [...after.keys()].filter((id) => !before.has(id)),
      changed: [...after].filter(([id, rev]) => before.has(id) && before.get(id) !== rev).map(([id]) => id),
      removed: [...before.keys()].filter((id) => !after.has(id)),
    };
    if (highlight) {
      for (const id of diff.added) this.#flash(id, "added");
      for (const id of diff.changed) this.#flash(id, "changed");
    }
    return diff;
  }

  #flash(id: number, kind: "added" | "changed"): void {
    const row = this.#container.querySelector<HTMLElement>(`[data-booking-id="${id}"]`);
    if (!row) return;
    row.dataset["changed"] = kind;
    row.classList.add("flash");
    setTimeout(() => {
      row.classList.remove("flash");
      delete row.dataset["changed"];
    }, HIGHLIGHT_MS);
  }

  #syncToolbar(root: HTMLElement): void {
    const { view = "day", date = "", title = "", prev = "", next = "" } = root.dataset;
    document.title = `${title} · realtime-bookings demo`;
    must<HTMLElement>(document, "#view-title").textContent = title;
    const href = (v: string, d: string): string => `/?view=${encodeURIComponent(v)}&date=${encodeURIComponent(d)}`;
    must<HTMLAnchorElement>(document, '[data-nav="prev"]').href = href(view, prev);
    must<HTMLAnchorElement>(document, '[data-nav="next"]').href = href(view, next);
    must<HTMLAnchorElement>(document, '[data-nav="today"]').href = href(view, "today");
    for (const tab of document.querySelectorAll<HTMLAnchorElement>("[data-view-link]")) {
      const v = tab.dataset["viewLink"] ?? "day";
      tab.href = href(v, date);
      if (v === view) tab.setAttribute("aria-current", "page");
      else tab.removeAttribute("aria-current");
    }
    this.#range = { view, date };
  }

  #focusKey(): string | undefined {
    const el = document.activeElement;
    if (!(el instanceof HTMLElement) || !this.#container.contains(el)) return undefined;
    return el.dataset["action"] && el.dataset["id"] ? `[data-action="${el.dataset["action"]}"][data-id="${el.dataset["id"]}"]` : undefined;
  }

  #restoreFocus(key: string | undefined): void {
    if (key) this.#container.querySelector<HTMLElement>(key)?.focus({ preventScroll: true });
  }
}
