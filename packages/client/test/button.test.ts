// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  DEFAULT_DOTS,
  DEFAULT_LABELS,
  RealtimeBookings,
  RealtimeBookingsError,
  type RealtimeStatus,
  type StatusButtonClient,
  type StatusChangeEvent,
  mountStatusButton,
} from "../src/index.js";

/** A client stand-in whose status the test sets. */
function fakeClient(status: RealtimeStatus = "connecting") {
  const listeners = new Set<(event: StatusChangeEvent) => void>();
  const client = {
    status,
    enabled: status !== "disabled",
    error: undefined as RealtimeBookingsError | undefined,
    enable() {
      client.enabled = true;
      client.set("connecting", "enable");
    },
    disable() {
      client.enabled = false;
      client.set("disabled", "disable");
    },
    on(_type: "status", listener: (event: StatusChangeEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(current: RealtimeStatus, reason: StatusChangeEvent["reason"] = "open", error?: RealtimeBookingsError) {
      const previous = client.status;
      client.status = current;
      client.error = error;
      for (const listener of [...listeners]) listener({ previous, current, reason, error });
    },
    listeners,
  };
  return client;
}

let button: HTMLButtonElement;
beforeEach(() => {
  localStorage.clear();
  document.body.innerHTML = '<header><button id="rt">Real-time</button></header>';
  button = document.querySelector("#rt")!;
});
afterEach(() => {
  document.body.innerHTML = "";
});

const text = (): string => button.textContent ?? "";
/** What is seen: the colour of the CSS dot (an emoji font is not needed), and the label. */
const seen = (): [string | undefined, string] => [
  /var\(--rb-dot,\s*(#[0-9a-f]{6})\)/.exec(button.querySelector("span")?.getAttribute("style") ?? "")?.[1],
  button.querySelectorAll("span")[1]?.textContent ?? "",
];
const region = (): HTMLElement => document.querySelector('[role="status"]')!;

describe("mountStatusButton", () => {
  test("is a real toggle button with the status dot and label, and a polite live region", () => {
    const client = fakeClient("live");
    mountStatusButton(client as unknown as StatusButtonClient, button);
    expect(button.type).toBe("button");
    expect(button.classList.contains("rb-status")).toBe(true);
    expect(button.getAttribute("aria-pressed")).toBe("true");
    expect(button.dataset["status"]).toBe("live");
    expect(seen()).toEqual(["#1a7f37", "Real-time (SSE)"]);
    // The emoji stays as the dot's text, transparent: screen readers read it, no emoji font is needed to see the dot.
    expect(text()).toBe("🟢Real-time (SSE)");
    expect(button.querySelector("span")?.getAttribute("style")).toContain("border-radius: 50%");
    expect(button.querySelector("span")?.getAttribute("style")).toContain("color: transparent");
    expect(region().getAttribute("aria-live")).toBe("polite");
    expect(region().parentElement?.tagName).toBe("HEADER");
    expect(region().textContent).toBe(""); // nothing announced on load
  });

  test.each<[RealtimeStatus, [string, string]]>([
    ["connecting", ["#d4a72c", "Connecting…"]],
    ["live", ["#1a7f37", "Real-time (SSE)"]],
    ["polling", ["#1a7f37", "Polling"]],
    ["reconnecting", ["#d4a72c", "Reconnecting…"]],
    ["offline", ["#cf222e", "Disconnected"]],
    ["error", ["#cf222e", "Disconnected"]],
    ["paused", ["#8c959f", "Paused"]],
    ["disabled", ["#8c959f", "Real-time off"]],
  ])("shows %s as %j (dot colour, label) and announces it", (status, shown) => {
    const client = fakeClient("live");
    mountStatusButton(client as unknown as StatusButtonClient, button);
    client.set(status, "dropped");
    expect(seen()).toEqual(shown);
    expect(button.dataset["status"]).toBe(status);
    expect(region().textContent).toBe(DEFAULT_LABELS[status]);
  });

  test("the title says why it is disconnected", () => {
    const client = fakeClient("live");
    mountStatusButton(client as unknown as StatusButtonClient, button);
    client.set("error", "fatal", new RealtimeBookingsError("unauthorized", { status: 401, detail: "Token has expired" }));
    expect(button.title).toBe("unauthorized (HTTP 401): Token has expired");
    client.set("live");
    expect(button.title).toBe("");
  });

  test("a click toggles real-time and remembers the choice; the next mount applies it before connecting", () => {
    const client = fakeClient("live");
    const first = mountStatusButton(client as unknown as StatusButtonClient, button);
    button.click();
    expect(client.enabled).toBe(false);
    expect(button.getAttribute("aria-pressed")).toBe("false");
    expect(seen()).toEqual(["#8c959f", "Real-time off"]);
    expect(localStorage.getItem("realtime-bookings:enabled")).toBe("0");
    first.destroy(); // the page reloads

    const next = fakeClient("connecting");
    mountStatusButton(next as unknown as StatusButtonClient, button);
    expect(next.enabled).toBe(false);
    expect(seen()).toEqual(["#8c959f", "Real-time off"]);
    expect(region().textContent).toBe(""); // restoring is not announced
    button.click();
    expect(next.enabled).toBe(true);
    expect(localStorage.getItem("realtime-bookings:enabled")).toBe("1");
  });

  test("custom labels, dots and storage key; storageKey null remembers nothing", () => {
    const client = fakeClient("polling");
    mountStatusButton(client as unknown as StatusButtonClient, button, {
      labels: { polling: "Sondage" },
      dots: { polling: "●" },
      storageKey: null,
    });
    expect(text()).toBe("●Sondage"); // text dots replace the CSS dot
    expect(button.querySelector("span")?.getAttribute("style") ?? "").not.toContain("--rb-dot");
    button.click();
    expect(localStorage.length).toBe(0);
  });

  test("dots: DEFAULT_DOTS shows the emoji instead of the CSS dot", () => {
    const client = fakeClient("reconnecting");
    mountStatusButton(client as unknown as StatusButtonClient, button, { dots: DEFAULT_DOTS });
    expect(text()).toBe("🟡Reconnecting…");
  });

  test("survives a storage that throws (Safari private mode, sandboxed iframes)", () => {
    const client = fakeClient("live");
    const storage = {
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
      setItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
    };
    mountStatusButton(client as unknown as StatusButtonClient, button, { storage });
    button.click();
    expect(client.enabled).toBe(false);
  });

  test("destroy() removes its listeners and the live region; closing the client destroys it", () => {
    const client = fakeClient("live");
    const mounted = mountStatusButton(client as unknown as StatusButtonClient, button);
    mounted.destroy();
    expect(client.listeners.size).toBe(0);
    expect(document.querySelector('[role="status"]')).toBeNull();
    button.click();
    expect(client.enabled).toBe(true);

    const other = fakeClient("live");
    mountStatusButton(other as unknown as StatusButtonClient, button);
    other.set("disabled", "close");
    expect(other.listeners.size).toBe(0);
    expect(seen()).toEqual(["#8c959f", "Real-time off"]);
  });

  test("with a real client: a remembered 'off' means no connection is ever opened", async () => {
    localStorage.setItem("realtime-bookings:enabled", "0");
    const opened: string[] = [];
    class Source {
      constructor(url: string) {
        opened.push(url);
      }
      addEventListener(): void {}
      close(): void {}
    }
    const client = new RealtimeBookings({ streamUrl: "/events", environment: { EventSource: Source } });
    mountStatusButton(client, button);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(opened).toEqual([]);
    expect(client.status).toBe("disabled");
    expect(seen()).toEqual(["#8c959f", "Real-time off"]);
    button.click();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(opened).toEqual(["/events"]);
    expect(seen()).toEqual(["#d4a72c", "Connecting…"]);
    client.close();
    expect(document.querySelector('[role="status"]')).toBeNull();
  });
});
