// Rotation with no blip (issue 14): streams whose credentials last 5 s, a hub that sends `reauth` 1 s
// before expiry and ends the stream at expiry, 60 s of fake time with an event every 150 ms, on both
// transports: the status never leaves live, no event is lost or doubled, one token call per rotation.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { STREAM_URL } from "./support/hub.js";
import { type RotatingHub, createRotatingHub } from "./support/rotating-hub.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

let hub: RotatingHub | undefined;
let running: Recorded[] = [];
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  for (const { client } of running) client.close();
  running = [];
  hub?.stop();
  server.resetHandlers();
  vi.useRealTimers();
});

const CASES = [
  ["fetch", "fetch"],
  ["eventsource (browser)", "eventsource (a cookie page: a new EventSource)"],
] as const;

describe.each(CASES)("transport: %s", (kind) => {
  test.each([0, 400])("60 s of 5 s credentials (replay takes %i ms): always live, nothing lost or doubled", async (replayDelayMs) => {
    hub = createRotatingHub({ ttlMs: 5000, reauthLeadMs: 1000, publishEveryMs: 150, replayDelayMs });
    server.use(...hub.handlers);
    let issued = 0;
    const token = vi.fn(() => `token-${++issued}`);
    const rt = startClient(kind, fakeBrowser(), kind === "fetch" ? { token } : {});
    running.push(rt);
    await settle(100);
    expect(rt.client.status).toBe("live");
    const startAt = hub.published.length;
    for (let t = 0; t < 60_000; t += 50) await vi.advanceTimersByTimeAsync(50);
    await settle();

    expect(rt.client.status).toBe("live");
    expect(rt.trail).toEqual(["live"]); // one status change, at the start: none away from live
    expect(rt.errors).toEqual([]);
    const ids = rt.changes.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length); // none doubled
    expect(ids).toEqual(hub.published.slice(startAt)); // none lost, in order
    expect(ids.length).toBeGreaterThan(390);
    // A rotation every 4 s or so (reauth 4 s after each stream opened): about 15 streams.
    const streams = hub.streamRequests.length;
    expect(streams).toBeGreaterThanOrEqual(14);
    expect(streams).toBeLessThanOrEqual(17);
    if (kind === "fetch") {
      // One call per stream (the first, then one per rotation), one for the first version check.
      expect(token).toHaveBeenCalledTimes(streams + 1);
      const sent = hub.streamRequests.map((r) => r.headers.get("authorization"));
      expect(new Set(sent).size).toBe(streams); // every stream its own fresh token
      expect(hub.streamRequests.every((r) => !r.url.includes("token"))).toBe(true);
    }
    // Each new stream resumed after the last id the old one delivered.
    for (const request of hub.streamRequests.slice(1)) expect(new URL(request.url).searchParams.get("lastEventId")).toMatch(/^\d+-0$/);
  });

  test("a new stream that fails leaves the old one running until it ends, then the usual reconnect resumes by id", async () => {
    hub = createRotatingHub({ ttlMs: 5000, reauthLeadMs: 1000, publishEveryMs: 150 });
    let refuse = false;
    server.use(http.get(STREAM_URL, () => (refuse ? new HttpResponse("no", { status: 500 }) : undefined)), ...hub.handlers);
    const rt = startClient(kind, fakeBrowser(), kind === "fetch" ? { token: () => "t" } : {});
    running.push(rt);
    await settle(100);
    const startAt = hub.published.length;
    refuse = true;
    await settle(4000); // reauth: the new stream is refused (500)
    expect(rt.client.status).toBe("live"); // the old one still delivers
    const before = rt.changes.length;
    await settle(500);
    expect(rt.changes.length).toBeGreaterThan(before);
    refuse = false;
    await settle(600); // the old stream ended at expiry: the usual reconnect (reconnecting, then live)
    await settle(1500);
    expect(rt.trail).toEqual(["live", "reconnecting", "live"]);
    const ids = rt.changes.map((c) => c.id);
    expect(ids).toEqual(hub.published.slice(startAt)); // resumed by id: nothing lost or doubled
  });
});
