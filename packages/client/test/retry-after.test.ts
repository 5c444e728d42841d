// A hub at its cap, draining or without its broker answers 429/503 with a jittered Retry-After: the
// SDK waits that long (plus up to 1 s of jitter, never less) instead of its backoff, wherever it can
// read the header (fetch transport, version endpoint). A native EventSource cannot: it keeps the backoff.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, STREAM_URL, VERSION_URL, createHub } from "./support/hub.js";

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
  browser = fakeBrowser(); // random() is 0.5: the backoff's first delay is 500 ms, the Retry-After jitter 500 ms
});
afterEach(() => {
  for (const { client } of running) client.close();
  running = [];
  server.resetHandlers();
  vi.useRealTimers();
});

const busy = (status: number, retryAfter: string, error = "draining") => () =>
  HttpResponse.json({ error, message: "retry later" }, { status, headers: { "Retry-After": retryAfter } });

test("fetch: a 503 with Retry-After: 3 waits 3 s (+ jitter) before the next attempt, not the backoff's 500 ms", async () => {
  hub.streamPlan.push(busy(503, "3"));
  const rt = startClient("fetch", browser, { versionUrl: undefined, heartbeatTimeoutMs: 0 });
  running.push(rt);
  await settle();
  expect(rt.client.status).toBe("reconnecting");
  expect(rt.statuses.at(-1)).toMatchObject({ current: "reconnecting", reason: "retry_after" });
  expect(rt.errors[0]).toMatchObject({ code: "http_error", status: 503, retryAfterMs: 3000 });
  await settle(2999);
  expect(hub.streamRequests).toHaveLength(1); // never before Retry-After
  await settle(501);
  expect(hub.streamRequests).toHaveLength(2); // 3 s + 0.5 × 1 s of jitter
  expect(rt.client.status).toBe("live");
});

test("fetch: a 429 with Retry-After is honoured too, and a poll that works again does not bring the attempt sooner", async () => {
  // Three 429s: the third starts polling, whose first good answer would normally retry SSE at once.
  hub.streamPlan.push(busy(429, "2", "too_many_connections"), busy(429, "2", "too_many_connections"), busy(429, "20", "too_many_connections"));
  const rt = startClient("fetch", browser, { heartbeatTimeoutMs: 0 });
  running.push(rt);
  await settle();
  await settle(2500);
  expect(hub.streamRequests).toHaveLength(2);
  await settle(2500);
  expect(hub.streamRequests).toHaveLength(3);
  expect(rt.client.status).toBe("polling");
  await settle(20_000);
  expect(hub.streamRequests).toHaveLength(3); // 20 s asked: not sooner, whatever the polls say
  await settle(500);
  expect(hub.streamRequests).toHaveLength(4);
  expect(rt.client.status).toBe("live");
});

test("a Retry-After that is not a number of seconds (an HTTP date) falls back to the backoff; an absurd one is capped at 10 minutes", async () => {
  hub.streamPlan.push(busy(503, "Wed, 21 Oct 2015 07:28:00 GMT"), busy(503, "99999999999"));
  const rt = startClient("fetch", browser, { versionUrl: undefined, heartbeatTimeoutMs: 0 });
  running.push(rt);
  await settle(500);
  expect(rt.errors[0]).toMatchObject({ status: 503, retryAfterMs: undefined });
  expect(hub.streamRequests).toHaveLength(2); // the backoff's 500 ms
  expect(rt.errors[1]).toMatchObject({ status: 503, retryAfterMs: 600_000 });
  await settle(600_000);
  expect(hub.streamRequests).toHaveLength(2); // a timer past 2^31 ms would have fired at once
  await settle(500);
  expect(hub.streamRequests).toHaveLength(3);
});

test("native EventSource: the status is invisible, so a 503 with Retry-After keeps the backoff (documented)", async () => {
  hub.streamPlan.push(busy(503, "30"));
  const rt = startClient("eventsource (browser)", browser, { versionUrl: undefined, heartbeatTimeoutMs: 0 });
  running.push(rt);
  await settle();
  expect(rt.statuses.at(-1)?.reason).toBe("dropped");
  await settle(500);
  expect(hub.streamRequests).toHaveLength(2);
});

test("the polling fallback's version poll waits at least its Retry-After", async () => {
  const polls: number[] = [];
  let refuse = true;
  server.use(
    http.get(STREAM_URL, () => new HttpResponse(null, { status: 502 })),
    http.get(VERSION_URL, () => {
      polls.push(Date.now());
      return refuse && polls.length > 1 ? busy(503, "30", "broker_unavailable")() : HttpResponse.json({ version: 1 });
    }),
  );
  const rt = startClient("fetch", browser, { heartbeatTimeoutMs: 0 });
  running.push(rt);
  await settle(1500); // three stream failures: polling (its first poll is refused)
  const refusedAt = polls.at(-1)!;
  expect(rt.errors.at(-1)).toMatchObject({ status: 503, retryAfterMs: 30_000 });
  refuse = false;
  await settle(30_499);
  expect(polls.filter((at) => at > refusedAt)).toEqual([]); // not at the 7 s interval, nor the backoff
  await settle(1);
  expect(polls.filter((at) => at > refusedAt)).toHaveLength(1);
});
