// The version endpoint: the baseline, If-None-Match/304, what counts as a change, errors, timeouts.
import { HttpResponse, delay, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, expect, test, vi } from "vitest";
import { fakeBrowser } from "./support/browser.js";
import { type Recorded, settle, startClient } from "./support/client.js";
import { type Hub, VERSION_URL, booking, createHub, errorBody } from "./support/hub.js";

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
const reasons = (rt: Recorded): string[][] => rt.refreshes.map((r) => [...r.reasons]);

test("with initialVersion, a change made between rendering and connecting refreshes at once", async () => {
  hub.version = 8;
  const rt = start({ initialVersion: 7 });
  await settle(300);
  expect(reasons(rt)).toEqual([["version"]]);
});

test("with the same initialVersion (a number, or the string PHP printed), nothing refreshes", async () => {
  hub.version = 7;
  const a = start({ initialVersion: 7 });
  const b = start({ initialVersion: "7" });
  await settle(300);
  expect([a.refreshes, b.refreshes]).toEqual([[], []]);
});

test("without initialVersion, the first check only records the version", async () => {
  hub.version = 41;
  const rt = start();
  await settle(300);
  expect(rt.refreshes).toEqual([]);
  expect(hub.versionRequests).toHaveLength(1);
});

test("a lower version is a change too (a counter reset after a Redis failover)", async () => {
  hub.version = 100;
  const rt = start();
  await settle();
  hub.version = 3;
  browser.setVisible(false);
  browser.setVisible(true);
  await settle(300);
  expect(reasons(rt)).toEqual([["version"]]);
});

test("sends If-None-Match with the last ETag; a 304 is no change", async () => {
  const rt = start();
  await settle();
  browser.setVisible(false);
  browser.setVisible(true);
  await settle(300);
  expect(hub.versionRequests[0]?.headers.get("if-none-match")).toBeNull();
  expect(hub.versionRequests[1]?.headers.get("if-none-match")).toBe('"v1"');
  expect(rt.refreshes).toEqual([]);
});

test("a change the open stream already delivered is not refreshed twice by the next version check", async () => {
  const rt = start();
  await settle();
  hub.version = 2;
  hub.last.send(booking("1732800000000-0"));
  await settle(300);
  expect(reasons(rt)).toEqual([["change"]]);
  browser.setVisible(false);
  browser.setVisible(true);
  await settle(300);
  expect(reasons(rt)).toEqual([["change"]]); // the new version is adopted
  hub.version = 3; // …but a change the stream did not deliver is refreshed
  browser.setVisible(false);
  browser.setVisible(true);
  await settle(300);
  expect(reasons(rt)).toEqual([["change"], ["version"]]);
});

test("while the stream is down, a new version refreshes even if changes arrived before", async () => {
  const rt = start();
  await settle();
  hub.version = 2;
  hub.last.send(booking("1732800000000-0"));
  await settle(300);
  hub.failNext(...Array<number>(5).fill(503));
  hub.last.end();
  await settle(500 + 1000 + 2000); // three failures: polling
  expect(rt.client.status).toBe("polling");
  expect(reasons(rt)).toEqual([["change"], ["version"]]); // cannot tell whether the stream saw it
});

test("a 401 from the version endpoint stops the client", async () => {
  hub.failNext(...Array<number>(5).fill(503));
  const rt = start();
  await settle(1500);
  expect(rt.client.status).toBe("polling");
  hub.versionPlan.push(errorBody(401, "token_invalid", "Bad token"));
  await settle(7000);
  expect(rt.client.status).toBe("error");
  expect(rt.client.error).toMatchObject({ code: "unauthorized", serverCode: "token_invalid" });
  expect(vi.getTimerCount()).toBe(0);
});

test("a body without a version is an error; polling shows reconnecting until a poll succeeds", async () => {
  hub.failNext(...Array<number>(8).fill(503));
  const rt = start();
  await settle(1500);
  expect(rt.client.status).toBe("polling");
  hub.versionPlan.push(() => HttpResponse.json({ ok: true }));
  await settle(7000);
  expect(rt.client.status).toBe("reconnecting");
  expect(rt.errors.at(-1)).toMatchObject({ code: "invalid_response", status: 200 });
  await settle(7000);
  expect(rt.client.status).toBe("polling");
});

test("a version request that hangs times out (HTTP/1.1 connection starvation) and polling goes on", async () => {
  hub.failNext(...Array<number>(10).fill(503));
  const rt = start({ requestTimeoutMs: 3000 });
  await settle(1500);
  expect(rt.client.status).toBe("polling");
  server.use(
    http.get(VERSION_URL, async () => {
      await delay("infinite");
      return HttpResponse.json({ version: 1 });
    }, { once: true }),
  );
  await settle(7000);
  expect(rt.client.status).toBe("polling");
  await settle(3000);
  expect(rt.errors.at(-1)?.code).toBe("timeout");
  expect(rt.client.status).toBe("reconnecting");
  await settle(7000);
  expect(rt.client.status).toBe("polling");
});

test("failing polls back off instead of hammering every 7 s", async () => {
  hub.failNext(...Array<number>(50).fill(503));
  for (let i = 0; i < 50; i++) hub.versionPlan.push(() => new HttpResponse("down", { status: 503 }));
  const rt = start({ reconnect: { baseMs: 1000, maxMs: 60_000 } });
  await settle(1500);
  const before = hub.versionRequests.length;
  await settle(120_000);
  // 7 s, then max(7 s, 0.5 × 2^n s): 7, 7, 7, 8, 16, 32, 32… far fewer than 120 / 7 ≈ 17
  expect(hub.versionRequests.length - before).toBeLessThan(10);
  expect(rt.client.status).toBe("reconnecting");
});
