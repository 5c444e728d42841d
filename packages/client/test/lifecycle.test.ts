// App code that misbehaves, listeners, the deferred start, and refreshes that take time.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { RealtimeBookings, type RefreshInfo } from "../src/index.js";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, STREAM_URL, VERSION_URL, booking, createHub } from "./support/hub.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

let hub: Hub;
let browser: ReturnType<typeof fakeBrowser>;
let running: Recorded[] = [];
let thrown: unknown[] = [];
beforeEach(() => {
  vi.useFakeTimers();
  hub = createHub();
  server.use(...hub.handlers);
  browser = fakeBrowser();
  // App exceptions are rethrown in a microtask, as EventTarget does; collect them instead of failing the run.
  thrown = [];
  const real = globalThis.queueMicrotask;
  vi.stubGlobal("queueMicrotask", (callback: () => void) =>
    real(() => {
      try {
        callback();
      } catch (error) {
        thrown.push(error);
      }
    }),
  );
});
afterEach(() => {
  for (const { client } of running) client.close();
  running = [];
  server.resetHandlers();
  vi.unstubAllGlobals();
  vi.useRealTimers();
});
const start = (options?: Parameters<typeof startClient>[2]): Recorded => {
  const recorded = startClient("fetch", browser, options);
  running.push(recorded);
  return recorded;
};

test("a listener that throws neither stops the other listeners nor the client; the error surfaces uncaught", async () => {
  const rt = start();
  const boom = new Error("app bug");
  rt.client.on("change", () => {
    throw boom;
  });
  const after: string[] = [];
  rt.client.on("change", (change) => after.push(change.id ?? ""));
  await settle();
  hub.last.send(booking("1-0"));
  hub.last.send(booking("1-1"));
  await settle(300);
  expect(after).toEqual(["1-0", "1-1"]);
  expect(rt.refreshes).toHaveLength(1);
  expect(thrown).toEqual([boom, boom]);
  expect(rt.client.status).toBe("live");
});

test("onRefresh that throws or rejects does not stop later refreshes", async () => {
  let calls = 0;
  const rt = start({
    onRefresh: () => {
      calls++;
      if (calls === 1) throw new Error("sync failure");
      return Promise.reject(new Error("async failure"));
    },
  });
  await settle();
  hub.last.send(booking("1-0"));
  await settle(300);
  hub.last.send(booking("1-1"));
  await settle(300);
  hub.last.send(booking("1-2"));
  await settle(300);
  expect(calls).toBe(3);
  expect(thrown.map((e) => (e as Error).message)).toEqual(["sync failure", "async failure", "async failure"]);
});

test("refreshes never overlap: changes during a slow refresh make one more refresh after it", async () => {
  const started: RefreshInfo[] = [];
  const finish: Array<() => void> = [];
  const rt = start({
    onRefresh: (info) => {
      started.push(info);
      return new Promise<void>((resolve) => finish.push(resolve));
    },
  });
  await settle();
  hub.last.send(booking("1-0"));
  await settle(300);
  expect(started).toHaveLength(1);
  for (let i = 1; i <= 5; i++) hub.last.send(booking(`1-${i}`));
  await settle(5000);
  expect(started).toHaveLength(1); // still running
  finish[0]?.();
  await settle(300);
  expect(started).toHaveLength(2);
  expect(started[1]?.changes.map((c) => c.id)).toEqual(["1-1", "1-2", "1-3", "1-4", "1-5"]);
  expect(rt.client.status).toBe("live");
});

test("the first connection starts after construction: listeners added at once see it, and disable() first opens nothing", async () => {
  const client = new RealtimeBookings({ streamUrl: STREAM_URL, versionUrl: VERSION_URL, transport: "fetch", environment: browser.environment });
  running.push({ client } as Recorded);
  const trail: string[] = [];
  client.on("status", ({ current }) => trail.push(current));
  expect(hub.streamRequests).toHaveLength(0);
  await settle();
  expect(trail).toEqual(["live"]);

  const quiet = new RealtimeBookings({ streamUrl: STREAM_URL, transport: "fetch", environment: browser.environment });
  running.push({ client: quiet } as Recorded);
  quiet.disable();
  await settle(60_000);
  expect(hub.streamRequests).toHaveLength(1);
  expect(quiet.status).toBe("disabled");
});

test("enabled: false waits for enable(); disable() then enable() in the same tick opens one connection", async () => {
  const rt = start({ enabled: false });
  await settle(10_000);
  expect(rt.client.status).toBe("disabled");
  expect(hub.streamRequests).toHaveLength(0);
  rt.client.enable();
  await settle();
  expect(rt.client.status).toBe("live");

  const twice = start();
  twice.client.disable();
  twice.client.enable();
  await settle();
  expect(hub.streamRequests).toHaveLength(2);
});

test("on() returns an unsubscribe function; off() removes a listener", async () => {
  const rt = start();
  const a = vi.fn();
  const b = vi.fn();
  const unsubscribe = rt.client.on("change", a);
  rt.client.on("change", b);
  unsubscribe();
  rt.client.off("change", b);
  await settle();
  hub.last.send(booking("1-0"));
  await settle(300);
  expect(a).not.toHaveBeenCalled();
  expect(b).not.toHaveBeenCalled();
  expect(rt.changes).toHaveLength(1);
});

test("events and refreshes stop at close(), even with a burst pending", async () => {
  const rt = start();
  await settle();
  hub.last.send(booking("1-0"));
  await settle(10);
  rt.client.close();
  await settle(1000);
  expect(rt.refreshes).toEqual([]);
  expect(rt.client.status).toBe("disabled");
  rt.client.enable();
  await settle();
  expect(rt.client.status).toBe("disabled"); // closed for good
  expect(hub.streamRequests).toHaveLength(1);
});

test("status events carry the reason and the error", async () => {
  const rt = start();
  await settle();
  hub.last.end();
  await settle();
  expect(rt.statuses).toEqual([
    { previous: "connecting", current: "live", reason: "open", error: undefined },
    { previous: "live", current: "reconnecting", reason: "dropped", error: rt.errors[0] },
  ]);
  expect(rt.errors[0]?.code).toBe("stream_ended");
});

test("back from freeze (`resume`), a waiting reconnect runs at once and the version is checked: one stream request", async () => {
  const rt = start({ reconnect: { baseMs: 60_000, maxMs: 60_000 }, heartbeatTimeoutMs: 0 });
  await settle();
  hub.last.end(); // dropped just before the tab froze; the next attempt is 30 s away
  await settle(10);
  const [streams, checks] = [hub.streamRequests.length, hub.versionRequests.length];
  hub.version = 5;
  browser.document.dispatchEvent(new Event("resume"));
  await settle(300);
  expect([hub.streamRequests.length, hub.versionRequests.length]).toEqual([streams + 1, checks + 1]);
  expect(rt.client.status).toBe("live");
  expect(rt.refreshes.map((r) => r.reasons)).toEqual([["version"]]);
});

test("back from the back-forward cache (`pageshow` persisted), one new stream resumes by id; a first pageshow does nothing", async () => {
  const rt = start({ heartbeatTimeoutMs: 0 });
  await settle();
  hub.last.send(booking("1732800000000-4"));
  await settle(300);
  browser.window.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: false }));
  await settle(10);
  expect(hub.streamRequests).toHaveLength(1);
  browser.window.dispatchEvent(Object.assign(new Event("pageshow"), { persisted: true }));
  await settle(10);
  expect(hub.streamRequests).toHaveLength(2);
  expect(hub.open).toHaveLength(1);
  expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-4");
  expect(rt.client.status).toBe("live");
});
