// Stalls and attempts that never open, on every transport: the hub announces its heartbeat in
// `ready`, a stream silent for twice that long is dropped (`stalled`), one that stalls again right
// after reconnecting goes to the fallback (`buffered`), and an attempt that never opens is a failure
// (`timeout`). msw serves the hub; fake timers drive every delay.
import { http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { type TransportCase, TRANSPORTS, fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, STREAM_URL, booking, createHub } from "./support/hub.js";

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
const start = (kind: TransportCase, options?: Parameters<typeof startClient>[2]): Recorded => {
  const recorded = startClient(kind, browser, options);
  running.push(recorded);
  return recorded;
};
const ready = (heartbeatMs: number) => ({ event: "ready", id: "0-0", data: JSON.stringify({ heartbeatMs }) });
const heartbeat = { event: "heartbeat", data: "{}" };
const reasons = (rt: Recorded) => rt.statuses.map((s) => `${s.current}:${s.reason}`);

describe.each(Object.keys(TRANSPORTS) as TransportCase[])("transport: %s", (kind) => {
  test("heartbeat events keep a quiet stream live; silence for twice the announced interval is a stall", async () => {
    const rt = start(kind);
    await settle();
    hub.last.send(ready(1000));
    for (let i = 0; i < 10; i++) {
      await settle(900);
      hub.last.send(heartbeat);
    }
    expect(hub.streamRequests).toHaveLength(1);
    expect(rt.client.status).toBe("live");
    await settle(1999);
    expect(rt.client.status).toBe("live");
    await settle(1);
    expect(reasons(rt)).toEqual(["live:open", "reconnecting:stalled"]);
    expect(rt.statuses.at(-1)?.error?.code).toBe("stalled");
    await settle(500);
    expect(hub.streamRequests).toHaveLength(2);
    expect(hub.connections[0]?.cancelled).toBe(true);
    expect(hub.last.url.searchParams.get("lastEventId")).toBe("0-0");
  });

  test("a stream that stalls again right after reconnecting (a buffering proxy) goes to polling, and says so", async () => {
    const rt = start(kind, { heartbeatTimeoutMs: 2000 });
    await settle();
    await settle(2000); // the first stream opened and delivered nothing
    await settle(500);
    expect(hub.streamRequests).toHaveLength(2);
    await settle(2000); // the reopened one neither
    expect(reasons(rt)).toEqual(["live:open", "reconnecting:stalled", "live:open", "reconnecting:buffered", "polling:poll"]);
    // The background attempts open (the proxy passes the headers) but are not trusted until they deliver.
    await settle(20_000);
    expect(rt.client.status).toBe("polling");
    expect(hub.streamRequests.length).toBeGreaterThan(3);
    for (let i = 0; i < 100 && hub.open.length === 0; i++) await settle(100);
    expect(rt.client.status).toBe("polling"); // a background stream is open, silent so far
    hub.open[0]?.send(booking("1732800000000-1"));
    await settle();
    expect(rt.client.status).toBe("live");
    expect(rt.statuses.at(-1)?.reason).toBe("open");
    expect(rt.changes.map((c) => c.id)).toEqual(["1732800000000-1"]);
  });

  test("an attempt that never opens counts as failed (timeout), then backs off and falls back", async () => {
    let hung = 0;
    server.use(http.get(STREAM_URL, () => (hung++, new Promise<Response>(() => undefined))));
    const rt = start(kind, { requestTimeoutMs: 3000 });
    await settle(2999);
    expect(rt.client.status).toBe("connecting");
    await settle(1);
    expect(reasons(rt)).toEqual(["reconnecting:timeout"]);
    expect(rt.errors.map((e) => e.code)).toContain("timeout");
    await settle(500 + 3000 + 1000 + 3000);
    expect(hung).toBe(3);
    expect(rt.client.status).toBe("polling");
    expect(rt.statuses.map((s) => s.reason)).toContain("poll");
  });
});

test("an old hub (no heartbeatMs in ready, comment heartbeats) leaves a native stream without a watchdog", async () => {
  const rt = start("eventsource");
  await settle();
  hub.last.send({ event: "ready", id: "0-0", data: "{}" });
  await settle(300_000);
  expect(rt.client.status).toBe("live");
  expect(hub.streamRequests).toHaveLength(1);
});

test("when a poll works again, SSE is tried within a second, not on the backoff schedule", async () => {
  hub.failNext(...Array<number>(6).fill(503));
  for (let i = 0; i < 3; i++) hub.versionPlan.push(() => new Response("down", { status: 503 }));
  const rt = start("fetch", { reconnect: { baseMs: 1000, maxMs: 60_000 } });
  await settle(500 + 1000 + 2000 + 4000 + 8000);
  // Six failed attempts, the polls failed three times and then succeeded.
  expect(hub.streamRequests).toHaveLength(6);
  const polledOkAt = rt.statuses.find((s) => s.current === "polling")?.reason;
  expect(polledOkAt).toBe("poll");
  // The next attempt on the backoff schedule would come after 16 s; it came within a second.
  await settle(1000);
  expect(rt.client.status).toBe("live");
  expect(hub.streamRequests).toHaveLength(7);
});

test("a stall before disable() and enable() does not count toward `buffered` afterwards", async () => {
  const rt = start("fetch", { heartbeatTimeoutMs: 2000 });
  await settle();
  await settle(2000); // one stall
  rt.client.disable();
  rt.client.enable();
  await settle();
  await settle(2000); // one stall after a fresh start: reconnect, not polling
  expect(rt.statuses.at(-1)?.reason).toBe("stalled");
  expect(rt.statuses.map((s) => s.reason)).not.toContain("buffered");
});
