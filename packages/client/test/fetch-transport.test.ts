// What only the fetch transport can do: headers and tokens, the status and body of errors, `retry:`,
// heartbeats, and parsing whatever chunking the network produces.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
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
const start = (options?: Parameters<typeof startClient>[2]): Recorded => {
  const recorded = startClient("fetch", browser, options);
  running.push(recorded);
  return recorded;
};

test("calls the token function before every connection and version request, so a refreshed token is used", async () => {
  let issued = 0;
  const token = vi.fn(async () => `token-${++issued}`);
  const rt = start({ transport: "auto", token, headers: () => ({ "X-Tenant": "north" }) });
  await settle();
  expect(rt.client.transport).toBe("fetch");
  const first = hub.last.headers;
  hub.last.end();
  await settle(500);
  const second = hub.last.headers;
  expect([first.get("authorization"), second.get("authorization")]).toContain("Bearer token-1");
  expect(second.get("authorization")).toMatch(/^Bearer token-\d$/);
  expect(second.get("authorization")).not.toBe(first.get("authorization"));
  expect(second.get("x-tenant")).toBe("north");
  expect(hub.versionRequests[0]?.headers.get("authorization")).toMatch(/^Bearer token-\d$/);
  expect(token).toHaveBeenCalledTimes(3); // stream, version check, stream again
});

test("a stream that comes back unauthorized after the token expired goes red instead of carrying on", async () => {
  const rt = start({ token: () => "expired-soon" });
  await settle();
  hub.last.send(booking("1732800000000-0"));
  await settle(300);
  hub.streamPlan.push(errorBody(401, "token_expired", "Token has expired"));
  hub.last.end();
  await settle(500);
  expect(rt.client.status).toBe("error");
  expect(rt.client.error).toMatchObject({ code: "unauthorized", status: 401, serverCode: "token_expired" });
  expect(rt.client.error?.message).toBe("unauthorized (HTTP 401): Token has expired");
  expect(rt.trail).toEqual(["live", "reconnecting", "error"]);
  await settle(120_000);
  expect(hub.streamRequests).toHaveLength(2);

  // enable() after signing in again tries once more, from the last event id.
  rt.client.enable();
  await settle();
  expect(rt.client.status).toBe("live");
  expect(hub.last.url.searchParams.get("lastEventId")).toBe("1732800000000-0");
  expect(rt.trail.slice(-2)).toEqual(["connecting", "live"]);
});

test("a failing token function is retried with backoff, not fatal", async () => {
  let fail = true;
  const rt = start({ token: () => (fail ? Promise.reject(new Error("refresh endpoint down")) : "t") });
  await settle();
  expect(rt.client.status).toBe("reconnecting");
  expect(rt.errors[0]).toMatchObject({ code: "headers_failed", fatal: false });
  expect((rt.errors[0]?.cause as Error).message).toBe("refresh endpoint down");
  fail = false;
  await settle(500);
  expect(rt.client.status).toBe("live");
  expect(hub.last.headers.get("authorization")).toBe("Bearer t");
});

test("honours the server's retry: as the backoff base, keeping the jitter", async () => {
  hub.retryMs = 4000;
  start({ versionUrl: undefined });
  await settle();
  hub.last.end();
  await settle(1999);
  expect(hub.streamRequests).toHaveLength(1);
  await settle(1);
  expect(hub.streamRequests).toHaveLength(2); // 0.5 × 4000
});

test("retry: 0 from a misconfigured server does not make a reconnect loop", async () => {
  hub.retryMs = 0;
  start({ versionUrl: undefined });
  await settle();
  hub.last.end();
  await settle(49);
  expect(hub.streamRequests).toHaveLength(1);
  await settle(1);
  expect(hub.streamRequests).toHaveLength(2); // 0.5 × the 100 ms floor
});

test("heartbeat comments keep a quiet stream alive; silence for 2.5 heartbeats reconnects", async () => {
  const rt = start({ versionUrl: undefined });
  await settle();
  for (let i = 0; i < 8; i++) {
    await settle(25_000);
    hub.last.send(": ping\n\n");
  }
  await settle();
  expect(hub.streamRequests).toHaveLength(1);
  expect(rt.client.status).toBe("live");
  await settle(62_499);
  expect(rt.client.status).toBe("live");
  await settle(1);
  expect(rt.client.status).toBe("reconnecting");
  expect(rt.errors.map((e) => e.code)).toEqual(["stalled"]);
  await settle(500);
  expect(hub.streamRequests).toHaveLength(2);
  expect(hub.connections[0]?.cancelled).toBe(true);
});

test("a 200 that is not an event stream (a proxy's login page) is retried", async () => {
  hub.streamPlan.push(() => new HttpResponse("<html>sign in</html>", { headers: { "Content-Type": "text/html" } }));
  const rt = start();
  await settle();
  expect(rt.errors[0]).toMatchObject({ code: "invalid_response", status: 200, message: "invalid_response (HTTP 200): text/html" });
  await settle(500);
  expect(rt.client.status).toBe("live");
});

test("a network error is retried", async () => {
  hub.streamPlan.push(() => HttpResponse.error());
  const rt = start();
  await settle();
  expect(rt.errors[0]).toMatchObject({ code: "network_error", fatal: false });
  await settle(500);
  expect(rt.client.status).toBe("live");
});

test("429 (too many connections) and 5xx are retried; the status is on the error", async () => {
  hub.failNext(429, 500);
  const rt = start();
  await settle(1500);
  expect(rt.errors.map((e) => [e.code, e.status])).toEqual([
    ["http_error", 429],
    ["http_error", 500],
  ]);
  expect(rt.client.status).toBe("live");
});

test("parses events split across chunks anywhere, even inside a UTF-8 character, with CRLF or LF", async () => {
  const rt = start();
  await settle();
  const frame = new TextEncoder().encode(
    'event: booking\r\nid: 1732800000000-5\r\ndata: {"type":"update","data":{"id":5,"specialist_id":3,"workpoint_id":1,"client":"Zoë 🎉"}}\r\n\r\n',
  );
  for (let i = 0; i < frame.length; i += 7) {
    hub.last.send(frame.slice(i, i + 7));
    await settle();
  }
  expect(rt.changes).toEqual([
    { type: "update", data: { id: 5, specialist_id: 3, workpoint_id: 1, client: "Zoë 🎉" }, id: "1732800000000-5" },
  ]);
});

test("a malformed booking event is reported and refreshes, to be safe; unknown event names are ignored", async () => {
  const rt = start();
  await settle();
  hub.last.send({ event: "booking", id: "1-0", data: "not json" });
  hub.last.send({ event: "booking", id: "1-1", data: '{"type":"explode","data":{}}' });
  hub.last.send({ event: "something-new", id: "1-2", data: "{}" });
  hub.last.send({ data: '{"type":"create","data":{"id":1,"specialist_id":3,"workpoint_id":1}}' });
  await settle(300);
  expect(rt.changes).toEqual([]);
  expect(rt.errors.map((e) => e.code)).toEqual(["invalid_event", "invalid_event"]);
  expect(rt.refreshes).toHaveLength(1);
  expect(rt.client.lastEventId).toBe("1-2");
});

test("withCredentials sends cookies cross-origin; otherwise same-origin", async () => {
  const seen: RequestCredentials[] = [];
  server.use(
    http.get(STREAM_URL, ({ request }) => {
      seen.push(request.credentials);
      return new HttpResponse(null, { status: 503 });
    }),
  );
  start({ withCredentials: true, versionUrl: undefined });
  await settle();
  start({ versionUrl: undefined });
  await settle();
  expect(seen).toEqual(["include", "same-origin"]);
});

test("sends Accept: text/event-stream and asks caches to stay out of the way", async () => {
  start();
  await settle();
  expect(hub.last.headers.get("accept")).toBe("text/event-stream");
  expect(hub.streamRequests[0]?.cache).toBe("no-store");
  expect(hub.versionRequests[0]?.cache).toBe("no-store");
});
