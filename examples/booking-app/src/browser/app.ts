import { setRealtimeClient } from "./api.js";
import type { ChangeEvent, RealtimeBookings as Client, RefreshInfo, mountStatusButton } from "@realtime-bookings/client";
import { must, readConfig } from "./config.js";
import { BookingForms } from "./forms.js";
import { Toasts } from "./toasts.js";
import { BookingsView, type Diff } from "./view.js";

/** The SDK's `<script>` bundle defines this global (`/assets/realtime-bookings.js`). */
type Sdk = typeof Client & { mountStatusButton: typeof mountStatusButton };

const plural = (n: number, word: string): string => `${n} ${word}`;

function describe(diff: Diff): string {
  const parts = [
    diff.added.length ? plural(diff.added.length, "new") : "",
    diff.changed.length ? plural(diff.changed.length, "changed") : "",
    diff.removed.length ? plural(diff.removed.length, "removed") : "",
  ].filter(Boolean);
  return parts.length ? parts.join(", ") : "no change in this view";
}

function start(): void {
  const config = readConfig(document);
  const toasts = new Toasts(must(document, "#toasts"));
  const container = must<HTMLElement>(document, "#bookings-view");
  const view = new BookingsView(container, config.bookingsUrl);
  const forms = new BookingForms(config, view, toasts);
  const lastUpdate = must<HTMLElement>(document, "#last-update");
  let refreshes = 0;
  let changes = 0;

  // Only the bookings view is refreshed: one fetch per burst of changes (the SDK coalesces them).
  const refresh = async (info: RefreshInfo): Promise<void> => {
    let diff: Diff | undefined;
    try {
      diff = await view.load(true);
    } catch (error) {
      console.warn(`[booking-app] refreshing the bookings (${info.reasons.join(", ")}) failed`, error);
      toasts.show("Could not refresh the bookings; the next change tries again.", "warn");
      return;
    }
    if (!diff) return;
    refreshes += 1;
    const time = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    lastUpdate.textContent = `Updated ${time}: ${describe(diff)}`;
    lastUpdate.title = `Why: ${info.reasons.join(", ")}`;
    lastUpdate.dataset["count"] = String(refreshes);
    // When the view last changed because of a push or a poll (epoch ms): what the e2e tests time.
    lastUpdate.dataset["refreshedAt"] = String(Date.now());
    if (diff.removed.length) toasts.show(`${diff.removed.length === 1 ? `Booking #${diff.removed[0]} was` : `${diff.removed.length} bookings were`} cancelled or moved away.`);
  };

  const sdk = (globalThis as { RealtimeBookings?: Sdk }).RealtimeBookings;
  if (sdk) {
    const client = new sdk({
      streamUrl: config.streamUrl,
      versionUrl: config.versionUrl,
      initialVersion: config.initialVersion,
      pollIntervalMs: config.client.pollIntervalMs,
      fallbackAfter: config.client.fallbackAfter,
      reconnect: config.client.reconnect,
      onRefresh: refresh,
    });
    setRealtimeClient(client.clientId);
    client.on("change", (change: ChangeEvent) => {
      changes += 1;
      lastUpdate.dataset["changes"] = String(changes);
      lastUpdate.dataset["changeAt"] = String(Date.now());
      if (change.type !== "test") forms.bookingChangedElsewhere(Number(change.data.id), change.type);
    });
    sdk.mountStatusButton(client, must<HTMLButtonElement>(document, "#rb-status"));
  } else {
    must<HTMLElement>(document, "#rb-status").textContent = "🔴 Real-time script missing: run npm run build";
  }

  // Navigation swaps only the view; the address bar and history follow.
  const go = (href: string, push = true): void => {
    const url = new URL(href, location.href);
    void view.navigate(url.searchParams.get("view") ?? "day", url.searchParams.get("date") ?? "today", push).catch(() => location.assign(url.href));
  };
  for (const link of document.querySelectorAll<HTMLAnchorElement>("[data-nav], [data-view-link]")) {
    link.addEventListener("click", (event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      go(link.href);
    });
  }
  addEventListener("popstate", () => go(location.href, false));

  container.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-action]");
    const id = Number(button?.dataset["id"]);
    if (!button || !id) return;
    if (button.dataset["action"] === "edit") void forms.openEdit(id);
    if (button.dataset["action"] === "cancel") forms.openCancel(id);
  });
  must<HTMLButtonElement>(document, "#new-booking").addEventListener("click", () => forms.openNew());
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
