import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { RealtimeBookings, RealtimeBookingsError, type RealtimeBookingsOptions } from "../src/index.js";
import { fakeBrowser } from "./support/browser.js";
import { settle } from "./support/client.js";
import { STREAM_URL, VERSION_URL, createHub } from "./support/hub.js";

class StubEventSource {
  static urls: string[] = [];
  constructor(url: string) {
    StubEventSource.urls.push(url);
  }
  addEventListener(): void {}
  close(): void {}
}

const fetchStub = async (): Promise<never> => new Promise(() => undefined);

describe("options", () => {
  test.each<[string, unknown, string]>([
    ["no options", undefined, "invalid_options: streamUrl is required"],
    ["no streamUrl", {}, "invalid_options: streamUrl is required"],
    ["an empty streamUrl", { streamUrl: "" }, "invalid_options: streamUrl is required"],
    ["an unknown transport", { streamUrl: "/e", transport: "websocket" }, 'invalid_options: transport must be "auto", "fetch" or "eventsource" (no headers)'],
    ["headers with the native transport", { streamUrl: "/e", transport: "eventsource", headers: { "X-A": "1" } }, 'invalid_options: transport must be "auto", "fetch" or "eventsource" (no headers)'],
  ])("throws invalid_options for %s", (_name, options, message) => {
    const attempt = (): unknown => new RealtimeBookings(options as RealtimeBookingsOptions);
    expect(attempt).toThrow(RealtimeBookingsError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: "invalid_options", fatal: true, name: "RealtimeBookingsError" });
    }
  });

  test.each<[string, Partial<RealtimeBookingsOptions>["environment"], Partial<RealtimeBookingsOptions>, string | null]>([
    ["EventSource by default", { EventSource: StubEventSource, fetch: fetchStub }, {}, "eventsource"],
    ["fetch when headers are needed", { EventSource: StubEventSource, fetch: fetchStub }, { headers: { "X-Tenant": "a" } }, "fetch"],
    ["fetch when a token is needed", { EventSource: StubEventSource, fetch: fetchStub }, { token: "t" }, "fetch"],
    ["fetch when there is no EventSource", { EventSource: undefined, fetch: fetchStub }, {}, "fetch"],
    ["fetch when asked", { EventSource: StubEventSource, fetch: fetchStub }, { transport: "fetch" }, "fetch"],
    ["none (polling only) when the asked one is missing", { EventSource: undefined, fetch: fetchStub }, { transport: "eventsource" }, null],
    ["none when neither exists", { EventSource: undefined, fetch: undefined }, {}, null],
  ])("transport: %s", (_name, environment, options, expected) => {
    const client = new RealtimeBookings({ streamUrl: "/e", ...options, environment: { ...environment, onlineTarget: undefined, visibilityTarget: undefined } });
    expect(client.transport).toBe(expected);
    client.close();
  });
});

describe("numbers", () => {
  const server = setupServer();
  let hub = createHub();
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterAll(() => server.close());
  beforeEach(() => {
    vi.useFakeTimers();
    hub = createHub();
    server.use(...hub.handlers);
  });
  afterEach(() => {
    server.resetHandlers();
    vi.useRealTimers();
  });

  test("a numeric string works (as a PHP template may print it); nonsense falls back; too small is raised to the minimum", async () => {
    hub.failNext(...Array<number>(20).fill(503));
    const client = new RealtimeBookings({
      streamUrl: STREAM_URL,
      versionUrl: VERSION_URL,
      transport: "fetch",
      pollIntervalMs: "2000" as unknown as number,
      fallbackAfter: -4, // → 1
      coalesceMs: Number.NaN, // → 250
      reconnect: { baseMs: "oops" as unknown as number, maxMs: Infinity }, // → 1000, 30000
      environment: { ...fakeBrowser().environment, EventSource: undefined },
    });
    await settle();
    expect(client.status).toBe("polling"); // after one failure
    const polls = hub.versionRequests.length;
    await settle(500);
    expect(hub.streamRequests).toHaveLength(2); // 500 ms later (1000 ms base, random 0.5)
    await settle(1500);
    expect(hub.versionRequests.length).toBe(polls + 1); // every 2 s
    client.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("without an SSE transport", () => {
  test("polls from the start when there is fetch but no EventSource and no way to stream", async () => {
    vi.useFakeTimers();
    const server = setupServer();
    const hub = createHub();
    server.use(...hub.handlers);
    server.listen({ onUnhandledRequest: "error" });
    try {
      const client = new RealtimeBookings({
        streamUrl: STREAM_URL,
        versionUrl: VERSION_URL,
        transport: "eventsource",
        environment: { ...fakeBrowser().environment, EventSource: undefined },
      });
      const trail: string[] = [];
      client.on("status", ({ current }) => trail.push(current));
      await settle();
      expect(client.transport).toBeNull();
      expect(trail).toEqual(["polling"]);
      await settle(7000);
      expect(hub.versionRequests).toHaveLength(2);
      expect(hub.streamRequests).toHaveLength(0);
      client.close();
    } finally {
      server.close();
      vi.useRealTimers();
    }
  });

  test("stops with unsupported when nothing can deliver updates", async () => {
    const client = new RealtimeBookings({
      streamUrl: "/e",
      environment: { EventSource: undefined, fetch: undefined, onlineTarget: undefined, visibilityTarget: undefined },
    });
    await Promise.resolve();
    expect(client.status).toBe("error");
    expect(client.error).toMatchObject({ code: "unsupported", fatal: true });
    client.close();
  });
});

test("the stream URL keeps its query string and gets lastEventId appended", async () => {
  StubEventSource.urls = [];
  const client = new RealtimeBookings({
    streamUrl: new URL("https://hub.example/events?view=week"),
    environment: { EventSource: StubEventSource, onlineTarget: undefined, visibilityTarget: undefined },
  });
  await Promise.resolve();
  expect(StubEventSource.urls).toEqual(["https://hub.example/events?view=week"]);
  client.close();
});
