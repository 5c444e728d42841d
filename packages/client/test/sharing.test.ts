// One stream per browser, with fakes of Web Locks and BroadcastChannel: election, relay, handover on
// close, freeze and disable, status mirroring, and each tab's own change/refresh/own handling.
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { RealtimeBookings } from "../src/index.js";
import { tabSharing } from "../src/share/index.js";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, booking, createHub } from "./support/hub.js";
import { fakeChannels, fakeLocks } from "./support/tabs.js";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

let hub: Hub;
let running: Recorded[] = [];
let shared: { locks: ReturnType<typeof fakeLocks>; channels: ReturnType<typeof fakeChannels> };
beforeEach(() => {
  vi.useFakeTimers();
  hub = createHub();
  server.use(...hub.handlers);
  shared = { locks: fakeLocks(), channels: fakeChannels() };
  RealtimeBookings.tabSharing = tabSharing;
});
afterEach(() => {
  for (const { client } of running) client.close();
  running = [];
  server.resetHandlers();
  RealtimeBookings.tabSharing = undefined;
  vi.useRealTimers();
});

/** Opens a tab of the shared fake browser; `heartbeatTimeoutMs: 0` because the msw hub sends no heartbeats. */
const tab = (options: Parameters<typeof startClient>[2] = {}) => {
  const browser = fakeBrowser();
  const recorded = startClient("eventsource", browser, {
    heartbeatTimeoutMs: 0,
    ...options,
    environment: { locks: shared.locks, BroadcastChannel: shared.channels.BroadcastChannel, ...options.environment },
  });
  running.push(recorded);
  return Object.assign(recorded, { browser });
};
const ids = (rt: Recorded) => rt.changes.map((c) => c.id);

test("three tabs share one stream; every tab gets each event once, refreshes once, and shows live", async () => {
  const tabs = [tab(), tab(), tab()];
  await settle(600);
  expect(hub.streamRequests).toHaveLength(1);
  expect(tabs.map((t) => t.client.status)).toEqual(["live", "live", "live"]);
  hub.last.send(booking("1732800000000-0"));
  await settle(300);
  expect(tabs.map(ids)).toEqual([["1732800000000-0"], ["1732800000000-0"], ["1732800000000-0"]]);
  expect(tabs.map((t) => t.refreshes.length)).toEqual([1, 1, 1]);
  expect(hub.streamRequests).toHaveLength(1);
});

test("the leader closes: the next tab leads at once and resumes after the last id; nothing lost or doubled", async () => {
  const [first, second, third] = [tab(), tab(), tab()];
  await settle(600);
  hub.last.send(booking("1732800000000-1"));
  await settle(10);
  first!.client.close();
  hub.last.send(booking("1732800000000-2")); // lost with the old stream: must be replayed
  await settle(10);
  expect(hub.streamRequests).toHaveLength(2);
  expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-1");
  expect(hub.open).toHaveLength(1);
  hub.last.send(booking("1732800000000-2")); // the replay
  for (const n of [3, 4, 5]) hub.last.send(booking(`1732800000000-${n}`));
  await settle(300);
  const expected = [1, 2, 3, 4, 5].map((n) => `1732800000000-${n}`);
  expect([ids(second!), ids(third!)]).toEqual([expected, expected]);
  expect([second!.client.status, third!.client.status]).toEqual(["live", "live"]);
});

test("a frozen leader (silent, lock kept) is replaced within 2 s by a visible tab, and steps down when it thaws", async () => {
  const [leader, follower] = [tab(), tab()];
  await settle(600);
  hub.last.send(booking("1732800000000-1"));
  await settle(10);
  const [frozen] = shared.channels.open; // the first tab's channel: the leader's
  frozen!.muted = true;
  await settle(2000);
  expect(hub.streamRequests).toHaveLength(2);
  expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-1");
  expect(hub.open).toHaveLength(1); // the old leader's lock request failed: it closed its stream
  frozen!.muted = false;
  hub.last.send(booking("1732800000000-2"));
  await settle(600);
  expect(ids(follower!)).toEqual(["1732800000000-1", "1732800000000-2"]);
  expect(ids(leader!)).toEqual(["1732800000000-1", "1732800000000-2"]);
  expect([leader!.client.status, follower!.client.status]).toEqual(["live", "live"]);
  expect(hub.open).toHaveLength(1);
});

test("disable() is per tab: a disabled follower gets nothing; a disabled leader hands over", async () => {
  const [leader, follower, other] = [tab(), tab(), tab()];
  await settle(600);
  follower!.client.disable();
  hub.last.send(booking("1732800000000-1"));
  await settle(300);
  expect(follower!.client.status).toBe("disabled");
  expect([ids(leader!), ids(follower!), ids(other!)]).toEqual([["1732800000000-1"], [], ["1732800000000-1"]]);
  leader!.client.disable();
  await settle(10);
  expect(hub.open).toHaveLength(1);
  expect(hub.streamRequests).toHaveLength(2);
  expect([leader!.client.status, other!.client.status]).toEqual(["disabled", "live"]);
  follower!.client.enable();
  await settle(600);
  expect(follower!.client.status).toBe("live");
  expect(hub.streamRequests).toHaveLength(2);
});

test("followers show the leader's status: polling when its stream fails, live when it is back", async () => {
  hub.failNext(...Array<number>(5).fill(503));
  const tabs = [tab(), tab()];
  await settle(500 + 1000 + 600);
  expect(tabs.map((t) => t.client.status)).toEqual(["polling", "polling"]);
  expect(tabs[1]?.statuses.at(-1)?.reason).toBe("poll");
  await settle(30_000);
  expect(tabs.map((t) => t.client.status)).toEqual(["live", "live"]);
  expect(hub.open).toHaveLength(1);
});

test("a version change the leader polls is refreshed in every tab", async () => {
  hub.failNext(...Array<number>(20).fill(503));
  const tabs = [tab(), tab()];
  await settle(500 + 1000 + 600);
  hub.version = 2;
  await settle(7000 + 300);
  expect(tabs.map((t) => t.refreshes.map((r) => r.reasons))).toEqual([[["version"]], [["version"]]]);
});

test("no echo across tabs: the acting tab reports own: true and does not refresh; the others refresh", async () => {
  const [leader, acting] = [tab(), tab()];
  await settle(600);
  hub.last.send({ event: "booking", id: "1732800000000-1", data: JSON.stringify({ ...JSON.parse(booking("x").data ?? "{}"), origin: acting!.client.clientId }) });
  await settle(300);
  expect(acting!.changes.map((c) => c.own)).toEqual([true]);
  expect(acting!.refreshes).toEqual([]);
  expect(leader!.changes.map((c) => c.own)).toEqual([undefined]);
  expect(leader!.refreshes).toHaveLength(1);
});

test("shareAcrossTabs: false gives each tab its own stream; headers or a token share only when asked", async () => {
  tab({ shareAcrossTabs: false });
  tab({ shareAcrossTabs: false });
  await settle(600);
  expect(hub.streamRequests).toHaveLength(2);
  tab({ transport: "fetch", token: "t" });
  tab({ transport: "fetch", token: "t" });
  await settle(600);
  expect(hub.streamRequests).toHaveLength(4);
  tab({ transport: "fetch", token: "t", shareAcrossTabs: true });
  tab({ transport: "fetch", token: "t", shareAcrossTabs: true });
  await settle(600);
  expect(hub.streamRequests).toHaveLength(5);
});

test("close() of every tab leaves no timer, channel or lock behind", async () => {
  const tabs = [tab(), tab(), tab()];
  await settle(600);
  for (const t of tabs) t.client.close();
  await settle();
  expect(vi.getTimerCount()).toBe(0);
  expect(shared.channels.open.size).toBe(0);
  expect(shared.locks.holder(`realtime-bookings:http://hub.test/events`)).toBeUndefined();
  expect(hub.open).toHaveLength(0);
});
