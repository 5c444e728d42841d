// The one behaviour suite every transport must pass: the native EventSource (as the spec-compliant
// `eventsource` package, and as a browser that hides HTTP statuses) and fetch + the client's SSE parser.
// msw serves the hub; fake timers drive every delay.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { type TransportCase, TRANSPORTS, fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, booking, createHub, errorBody } from "./support/hub.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

let hub: Hub;
let browser: ReturnType<typeof fakeBrowser>;
let running: Recorded[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  hub = createHub();
  server.use(...hub.handlers);
  browser = fakeBrowser();
});
afterEach(() => {
  for (const { client } of running) client.close();
  running = [];
  server.resetHandlers();
  vi.useRealTimers();
});

// The msw hub sends no heartbeats, so a quiet stream here would be a stalled one: the stall watchdog
// is off in this suite and has its own (test/stall.test.ts).
const start = (kind: TransportCase, options?: Parameters<typeof startClient>[2]): Recorded => {
  const recorded = startClient(kind, browser, { heartbeatTimeoutMs: 0, ...options });
  running.push(recorded);
  return recorded;
};

describe.each(Object.keys(TRANSPORTS) as TransportCase[])("transport: %s", (kind) => {
  const hidesStatus = kind === "eventsource (browser)";

  test("connects, goes live and hands every booking event to the app", async () => {
    const rt = start(kind);
    expect(rt.client.status).toBe("connecting");
    expect(rt.client.transport).toBe(TRANSPORTS[kind].transport);
    await settle();
    expect(rt.trail).toEqual(["live"]);
    expect(rt.statuses[0]).toEqual({ previous: "connecting", current: "live", reason: "open", error: undefined });

    hub.last.send(booking("1732800000000-0", "create", 7));
    hub.last.send({
      event: "booking",
      id: "1732800000000-1",
      data: JSON.stringify({ type: "update", data: { id: 7, specialist_id: 5, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 } }),
    });
    await settle();
    expect(rt.changes).toEqual([
      { type: "create", data: { id: 7, specialist_id: 3, workpoint_id: 1 }, id: "1732800000000-0" },
      { type: "update", data: { id: 7, specialist_id: 5, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 }, id: "1732800000000-1" },
    ]);
    expect(rt.client.lastEventId).toBe("1732800000000-1");
  });

  test("coalesces a burst of 50 events into one refresh, 250 ms after it went quiet", async () => {
    const rt = start(kind);
    await settle();
    for (let i = 0; i < 50; i++) hub.last.send(booking(`1732800000000-${i}`, "update", i));
    await settle(249);
    expect(rt.changes).toHaveLength(50); // every event reaches `change` at once…
    expect(rt.refreshes).toHaveLength(0);
    await settle(1);
    expect(rt.refreshes).toHaveLength(1); // …and the burst refreshes once
    expect(rt.refreshes[0]?.reasons).toEqual(["change"]);
    expect(rt.refreshes[0]?.changes.map((c) => c.id)).toEqual(rt.changes.map((c) => c.id));
  });

  test("a burst that never goes quiet still refreshes within a second", async () => {
    const rt = start(kind);
    await settle();
    const refreshedAt: number[] = [];
    rt.client.on("refresh", () => refreshedAt.push(Date.now()));
    const t0 = Date.now();
    for (let i = 0; i < 150; i++) {
      hub.last.send(booking(`1732800000000-${i}`, "update", i));
      await settle(20); // one event every 20 ms for 3 s: never quiet for 250 ms
    }
    await settle(250);
    expect(refreshedAt.map((t) => t - t0)).toEqual([1000, 2000, 3000]);
    expect(rt.refreshes.flatMap((r) => r.changes)).toHaveLength(150);
  });

  test("delivers events without an id (legacy bare PUBLISH) and keeps the last id for resuming", async () => {
    const rt = start(kind);
    await settle();
    hub.last.send(booking("1732800000000-4"));
    hub.last.send(booking(undefined, "delete", 9));
    await settle(300);
    expect(rt.changes.map((c) => c.type)).toEqual(["create", "delete"]);
    expect(rt.changes[0]?.id).toBe("1732800000000-4");
    // Every transport reports no id, as the docs promise (a native EventSource's "last event ID string"
    // still holds the previous id).
    expect(rt.changes[1]?.id).toBeUndefined();
    expect(rt.client.lastEventId).toBe("1732800000000-4");
  });

  test("resumes from the last event id when the server ends the stream", async () => {
    const rt = start(kind);
    await settle();
    hub.last.send(booking("1732800000000-3"));
    await settle();
    hub.last.end();
    await settle();
    expect(rt.client.status).toBe("reconnecting");
    expect(rt.errors.map((e) => e.code)).toEqual(["stream_ended"]);
    expect(hub.connections).toHaveLength(1);

    await settle(500); // full jitter with random() = 0.5: half of the 1000 ms base
    expect(hub.connections).toHaveLength(2);
    const resumed = hub.last;
    expect(resumed.url.searchParams.get("lastEventId")).toBe("1732800000000-3");
    // A new native EventSource cannot set headers; the fetch transport sends both.
    expect(resumed.headers.get("last-event-id")).toBe(kind === "fetch" ? "1732800000000-3" : null);
    expect(rt.trail).toEqual(["live", "reconnecting", "live"]);
  });

  test("rebuilds the connection after a proxy's 502/503 (a native EventSource gives up on them)", async () => {
    hub.failNext(502, 503);
    const rt = start(kind);
    await settle();
    expect(rt.client.status).toBe("reconnecting");
    await settle(500);
    expect(hub.streamRequests).toHaveLength(2);
    await settle(1000);
    expect(hub.streamRequests).toHaveLength(3);
    expect(rt.client.status).toBe("live");
    expect(rt.trail).toEqual(["reconnecting", "live"]);
    expect(rt.errors.map((e) => [e.code, e.status])).toEqual(
      hidesStatus
        ? [["network_error", undefined], ["network_error", undefined]]
        : [["http_error", 502], ["http_error", 503]],
    );
  });

  test("backs off exponentially with full jitter, capped, and starts over after a healthy connection", async () => {
    hub.failNext(503, 503, 503, 503, 503, 503, 503);
    const rt = start(kind, { versionUrl: undefined, reconnect: { baseMs: 1000, maxMs: 8000 } });
    await settle();
    const times: number[] = [];
    const t0 = Date.now();
    let seen = hub.streamRequests.length;
    for (let elapsed = 0; elapsed < 40_000 && hub.streamRequests.length < 8; elapsed += 50) {
      await settle(50);
      if (hub.streamRequests.length !== seen) {
        seen = hub.streamRequests.length;
        times.push(Date.now() - t0);
      }
    }
    // random() = 0.5: half of min(8000, 1000 × 2^n), so 500, 1000, 2000, 4000, 4000 (capped), …
    const gaps = times.map((t, i) => t - (times[i - 1] ?? 0));
    expect(gaps).toEqual([500, 1000, 2000, 4000, 4000, 4000, 4000]);
    expect(rt.client.status).toBe("live");

    await settle(5000); // healthy: open for healthyAfterMs
    hub.last.end();
    await settle(499);
    expect(hub.streamRequests).toHaveLength(8);
    await settle(1);
    expect(hub.streamRequests).toHaveLength(9); // back to the first delay
  });

  test("on resync, refreshes once and forgets the last id", async () => {
    const rt = start(kind);
    await settle();
    hub.last.send(booking("1732800000000-1"));
    await settle(300);
    hub.last.send({ event: "resync", data: JSON.stringify({ reason: "history_exceeded" }) });
    await settle(300);
    expect(rt.resyncs).toEqual([{ reason: "history_exceeded" }]);
    expect(rt.refreshes.map((r) => r.reasons)).toEqual([["change"], ["resync"]]);
    expect(rt.client.lastEventId).toBeUndefined();

    hub.last.end();
    await settle(500);
    expect(hub.last.url.searchParams.has("lastEventId")).toBe(false);
  });

  test("stops and goes red on 401 with the server's reason, without hammering", async () => {
    hub.streamPlan.push(errorBody(401, "token_expired", "Token has expired"));
    hub.versionPlan.push(errorBody(401, "token_expired", "Token has expired"));
    const rt = start(kind);
    await settle();
    expect(rt.client.status).toBe("error");
    expect(rt.statuses.at(-1)).toMatchObject({ current: "error", reason: "fatal" });
    const error = rt.client.error;
    expect(error).toMatchObject({ code: "unauthorized", status: 401, fatal: true });
    expect(rt.statuses.at(-1)?.error).toBe(error);
    if (kind !== "eventsource") expect(error?.serverCode).toBe("token_expired"); // the polyfill cannot read the body

    const requests = hub.streamRequests.length;
    await settle(120_000);
    expect(hub.streamRequests).toHaveLength(requests);
    expect(vi.getTimerCount()).toBe(0);
  });

  test("stops on 403", async () => {
    hub.streamPlan.push(errorBody(403, "forbidden", "No access"));
    hub.versionPlan.push(errorBody(403, "forbidden", "No access"));
    const rt = start(kind);
    await settle();
    expect(rt.client.status).toBe("error");
    expect(rt.client.error?.code).toBe("forbidden");
    await settle(60_000);
    expect(hub.streamRequests).toHaveLength(1);
  });

  // A browser's EventSource hides the status, so a 204 looks like any failed connection there.
  test(hidesStatus ? "treats a 204 it cannot see as a failure: retries, then falls back to polling" : "stops on 204, the SSE way of saying stop reconnecting", async () => {
    hub.failNext(...Array<number>(hidesStatus ? 3 : 1).fill(204));
    const rt = start(kind);
    await settle();
    if (!hidesStatus) {
      expect(rt.client.status).toBe("error");
      expect(rt.client.error).toMatchObject({ code: "no_content", status: 204 });
      await settle(60_000);
      expect(hub.streamRequests).toHaveLength(1);
      return;
    }
    expect(rt.client.status).toBe("reconnecting");
    await settle(500 + 1000);
    expect(rt.trail).toContain("polling");
    await settle(60_000);
    expect(rt.client.status).toBe("live"); // the 204s ran out: SSE holds again
  });

  test("falls back to polling after 3 failures, refreshes on a version change, and upgrades back to SSE", async () => {
    hub.failNext(...Array<number>(7).fill(503));
    const rt = start(kind);
    await settle();
    expect(rt.client.status).toBe("reconnecting");
    await settle(500 + 1000);
    // Third failure: polling starts at once (and SSE keeps being retried in the background).
    expect(rt.client.status).toBe("polling");
    expect(rt.statuses.find((s) => s.current === "polling")?.reason).toBe("poll");
    const polled = hub.versionRequests.length;

    await settle(7000);
    expect(hub.versionRequests.length).toBe(polled + 1);
    hub.version = 2;
    await settle(7000);
    expect(hub.versionRequests.length).toBe(polled + 2);
    await settle(300);
    expect(rt.refreshes.map((r) => r.reasons)).toEqual([["version"]]);
    // Polls send If-None-Match; an unchanged version is a 304, not a refresh.
    await settle(7000);
    expect(hub.versionRequests.at(-1)?.headers.get("if-none-match")).toBe('"v2"');
    expect(rt.refreshes).toHaveLength(1);

    // The background attempts fail until the plan runs out; then SSE holds and polling stops.
    await settle(60_000);
    expect(rt.client.status).toBe("live");
    expect(rt.trail.slice(-1)).toEqual(["live"]);
    const afterUpgrade = hub.versionRequests.length;
    await settle(120_000);
    expect(hub.versionRequests.length).toBe(afterUpgrade);
  });

  test("shows reconnecting (not polling) while the polls fail too", async () => {
    hub.failNext(...Array<number>(10).fill(503));
    for (let i = 0; i < 10; i++) hub.versionPlan.push(() => new Response("down", { status: 503 }));
    const rt = start(kind);
    await settle(500 + 1000 + 10);
    expect(rt.client.status).toBe("reconnecting");
    expect(rt.trail).not.toContain("polling");
  });

  test("goes quiet while offline and reconnects at once when the network returns", async () => {
    const rt = start(kind);
    await settle();
    hub.last.send(booking("1732800000000-9"));
    await settle(300);
    browser.setOnline(false);
    await settle();
    expect(rt.client.status).toBe("offline");
    expect(hub.open).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    await settle(120_000);
    expect(hub.streamRequests).toHaveLength(1);

    const versionChecks = hub.versionRequests.length;
    browser.setOnline(true);
    await settle();
    expect(hub.streamRequests).toHaveLength(2); // at once, no backoff
    expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-9");
    expect(hub.versionRequests.length).toBe(versionChecks + 1); // and a version check
    expect(rt.trail).toEqual(["live", "offline", "connecting", "live"]);
  });

  test("starts offline when the browser says so", async () => {
    browser.environment.isOnline = () => false;
    const rt = start(kind);
    await settle(60_000);
    expect(rt.client.status).toBe("offline");
    expect(hub.streamRequests).toHaveLength(0);
  });

  test("checks the version once when the tab becomes visible again, and refreshes if it changed", async () => {
    const rt = start(kind);
    await settle();
    const checks = hub.versionRequests.length;
    browser.setVisible(false);
    await settle(600_000);
    hub.version = 9;
    browser.setVisible(true);
    await settle(300);
    expect(hub.versionRequests.length).toBe(checks + 1);
    expect(rt.refreshes.map((r) => r.reasons)).toEqual([["version"]]);
    expect(rt.client.status).toBe("live"); // no pause unless asked for
  });

  test("pauseWhenHidden closes the stream while hidden and resumes when visible", async () => {
    const rt = start(kind, { pauseWhenHidden: true });
    await settle();
    hub.last.send(booking("1732800000000-2"));
    await settle(300);
    browser.setVisible(false);
    await settle();
    expect(rt.client.status).toBe("paused");
    expect(hub.open).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    browser.setVisible(true);
    await settle();
    expect(rt.client.status).toBe("live");
    expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-2");
    expect(rt.trail).toEqual(["live", "paused", "connecting", "live"]);
  });

  test("disable() and enable() close and reopen, with a version check", async () => {
    const rt = start(kind);
    await settle();
    rt.client.disable();
    expect(rt.client.status).toBe("disabled");
    expect(rt.client.enabled).toBe(false);
    await settle();
    expect(hub.open).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    const checks = hub.versionRequests.length;
    rt.client.enable();
    await settle();
    expect(rt.client.status).toBe("live");
    expect(hub.versionRequests.length).toBe(checks + 1);
    expect(rt.statuses.map((s) => [s.current, s.reason])).toEqual([
      ["live", "open"],
      ["disabled", "disable"],
      ["connecting", "enable"],
      ["live", "open"],
    ]);
  });

  test("close() frees every timer, listener and connection, and is safe twice", async () => {
    hub.failNext(...Array<number>(5).fill(503));
    const rt = start(kind);
    await settle(500 + 1000 + 100); // polling, with a reconnect and a poll pending
    hub.streamPlan.length = 0;
    await settle(2000);
    hub.last.send(booking("1732800000000-1")); // a refresh pending too
    await settle(10);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    expect(browser.window.listeners).toBe(3); // online, offline, pageshow
    expect(browser.document.listeners).toBe(2); // visibilitychange, resume

    rt.client.close();
    rt.client.close();
    expect(vi.getTimerCount()).toBe(0);
    expect(browser.window.listeners).toBe(0);
    expect(browser.document.listeners).toBe(0);
    expect(rt.client.closed).toBe(true);
    expect(rt.statuses.at(-1)).toMatchObject({ current: "disabled", reason: "close" });
    await settle();
    expect(hub.open).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    const requests = hub.streamRequests.length + hub.versionRequests.length;
    await settle(120_000);
    expect(hub.streamRequests.length + hub.versionRequests.length).toBe(requests);
    expect(rt.refreshes).toHaveLength(0);
  });

  test("an aborted signal closes the client", async () => {
    const controller = new AbortController();
    const rt = start(kind, { signal: controller.signal });
    await settle();
    controller.abort();
    expect(rt.client.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await settle();
    expect(hub.open).toHaveLength(0);
  });
});
