// What is particular to a native EventSource: it cannot send headers, hides the HTTP status in a
// browser, cannot see heartbeats, and must be rebuilt by the client after any failure.
import { setupServer } from "msw/node";
import { EventSource as SpecEventSource } from "eventsource";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { RealtimeBookings, type EventSourceEventLike } from "../src/index.js";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, STREAM_URL, booking, createHub, errorBody } from "./support/hub.js";

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

test("in a browser, a hidden 401 on reconnect is diagnosed through the version endpoint and stops the client", async () => {
  const rt = startClient("eventsource (browser)", browser);
  running.push(rt);
  await settle();
  hub.last.send(booking("1732800000000-0"));
  await settle(300);
  // The session expired: both endpoints now answer 401.
  hub.streamPlan.push(errorBody(401, "unauthenticated", "Sign in"));
  hub.versionPlan.push(errorBody(401, "unauthenticated", "Sign in"));
  hub.last.end();
  await settle(500);
  expect(rt.client.status).toBe("error");
  expect(rt.client.error).toMatchObject({ code: "unauthorized", status: 401, serverCode: "unauthenticated" });
  expect(rt.errors.map((e) => e.code)).toEqual(["stream_ended", "network_error", "unauthorized"]);
  await settle(120_000);
  expect(hub.streamRequests).toHaveLength(2);
  expect(vi.getTimerCount()).toBe(0);
});

test("in a browser, a 204 cannot be told apart from a failure: the client retries and falls back to polling", async () => {
  hub.failNext(204, 204, 204, 204);
  const rt = startClient("eventsource (browser)", browser);
  running.push(rt);
  await settle(1500);
  expect(rt.client.status).toBe("polling");
  expect(rt.client.error).toBeUndefined();
});

test("passes withCredentials to the EventSource and the resume id in the URL only", async () => {
  const made: Array<[string, { withCredentials: boolean }]> = [];
  class Recording extends SpecEventSource {
    constructor(url: string, init: { withCredentials: boolean }) {
      super(url, init);
      made.push([url, init]);
    }
  }
  const rt = startClient("eventsource", browser, { withCredentials: true, environment: { EventSource: Recording } });
  running.push(rt);
  await settle();
  hub.last.send(booking("1732800000000-7"));
  await settle();
  hub.last.end();
  await settle(500);
  expect(made).toEqual([
    [STREAM_URL, { withCredentials: true }],
    [`${STREAM_URL}?lastEventId=1732800000000-7`, { withCredentials: true }],
  ]);
});

test("closes the EventSource on its first error, so it never reconnects on its own schedule", async () => {
  const closed: number[] = [];
  let count = 0;
  class Counting extends SpecEventSource {
    readonly n = ++count;
    override close(): void {
      closed.push(this.n);
      super.close();
    }
  }
  const rt = startClient("eventsource", browser, { environment: { EventSource: Counting }, versionUrl: undefined });
  running.push(rt);
  await settle();
  hub.last.end(); // the polyfill would reconnect by itself after its 3 s default
  await settle();
  expect(closed).toContain(1);
  expect(vi.getTimerCount()).toBe(1); // only the client's own reconnect timer
  await settle(500);
  expect(hub.streamRequests).toHaveLength(2);
  await settle(10_000);
  expect(hub.streamRequests).toHaveLength(2);
});

test("works with any EventSource-shaped constructor (a minimal fake)", async () => {
  const sources: FakeSource[] = [];
  class FakeSource {
    listeners = new Map<string, (event: EventSourceEventLike) => void>();
    closed = false;
    constructor(readonly url: string) {
      sources.push(this);
    }
    addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void {
      this.listeners.set(type, listener);
    }
    close(): void {
      this.closed = true;
    }
    emit(type: string, event: EventSourceEventLike = {}): void {
      this.listeners.get(type)?.(event);
    }
  }
  const client = new RealtimeBookings({
    streamUrl: "/events",
    environment: { ...browser.environment, EventSource: FakeSource },
  });
  const seen: string[] = [];
  client.on("change", (change) => seen.push(`${change.type}:${change.id}`));
  await settle();
  sources[0]?.emit("open");
  sources[0]?.emit("booking", { data: '{"type":"delete","data":{"id":4,"specialist_id":1,"workpoint_id":1}}', lastEventId: "9-0" });
  expect(client.status).toBe("live");
  expect(seen).toEqual(["delete:9-0"]);
  sources[0]?.emit("error");
  expect(sources[0]?.closed).toBe(true);
  expect(client.status).toBe("reconnecting");
  await settle(500);
  expect(sources[1]?.url).toBe("/events?lastEventId=9-0");
  client.close();
  expect(sources[1]?.closed).toBe(true);
});

test("an event without an id is reported with id undefined, though a browser repeats the last id on it", async () => {
  // A browser's EventSource sets `lastEventId` on every event to its "last event ID string" (HTML
  // §9.2.6), so a legacy bare PUBLISH after an event with an id arrives carrying that id.
  const sources: SpecLikeSource[] = [];
  class SpecLikeSource {
    listeners = new Map<string, (event: EventSourceEventLike) => void>();
    last = "";
    constructor(readonly url: string) {
      sources.push(this);
    }
    addEventListener(type: string, listener: (event: EventSourceEventLike) => void): void {
      this.listeners.set(type, listener);
    }
    close(): void {}
    emit(type: string, data?: string, id?: string): void {
      if (id !== undefined) this.last = id;
      this.listeners.get(type)?.({ data, lastEventId: this.last });
    }
  }
  const client = new RealtimeBookings({ streamUrl: "/events", environment: { ...browser.environment, EventSource: SpecLikeSource } });
  const seen: Array<string | undefined> = [];
  client.on("change", (change) => seen.push(change.id));
  await settle();
  const event = '{"type":"delete","data":{"id":4,"specialist_id":1,"workpoint_id":1}}';
  sources[0]?.emit("open");
  sources[0]?.emit("booking", event);
  sources[0]?.emit("booking", event, "9-0");
  sources[0]?.emit("booking", event);
  sources[0]?.emit("booking", event, "9-1");
  expect(seen).toEqual([undefined, "9-0", undefined, "9-1"]);
  expect(client.lastEventId).toBe("9-1");
  client.close();
});
