// Issues 14, 19, 12 and 15 at the command line: drain on SIGTERM, POST /publish with publisher tokens,
// topology flags, publish --origin.
import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});
const sse = async (url: string, headers?: Record<string, string>): Promise<SseReader> => {
  const reader = await openSse(url, headers);
  readers.push(reader);
  return reader;
};
const ready = async (reader: SseReader) => {
  for (let i = 0; i < 300 && reader.ready.length === 0; i++) await sleep(10);
};
const PUBLISHER_SECRET = "publisher-secret-0123456789-abcdefghijklmnop";

describe("serve: drain on SIGTERM", () => {
  it("refuses new streams (503 draining, /healthz 503), ends the open ones spread over --drain-ms, each told when to come back, and exits 0 in time", async () => {
    const hub = await startServe(["--secret", SECRET, "--drain-ms", "1500", "--retry-ms", "1000"]);
    const token = bearer(await viewerToken({ role: "admin" }));
    const streams: SseReader[] = [];
    for (let i = 0; i < 10; i++) streams.push(await sse(`${hub.url}/events`, token));
    for (const s of streams) await ready(s);
    const ends = new Map<SseReader, number>();
    for (const s of streams) void s.ended.then(() => ends.set(s, Date.now()));
    const started = Date.now();
    const exited = hub.stop("SIGTERM", 1500 + 5000 + 3000);
    await sleep(200);
    const refused = await fetch(`${hub.url}/events`, { headers: token });
    const health = await fetch(`${hub.url}/healthz`);
    const healthBody = (await health.json()) as { draining: boolean };
    const exit = await exited;
    const elapsed = Date.now() - started;
    const times = [...ends.values()].sort((a, b) => a - b);
    expect({
      refused: [refused.status, ((await refused.json()) as { error: string }).error, Number(refused.headers.get("retry-after")) >= 1],
      health: [health.status, healthBody.draining],
      ended: ends.size,
      spread: (times.at(-1) ?? 0) - (times[0] ?? 0) > 600,
      told: streams.every((s) => /retry: 1\d{3}\n\n$/.test(s.raw())),
      exit,
      inTime: elapsed < 1500 + 2000,
    }).toEqual({ refused: [503, "draining", true], health: [503, true], ended: 10, spread: true, told: true, exit: { code: 0, signal: null }, inTime: true });
  });
});

describe.runIf(hasRedisServer())("serve: POST /publish and publish --origin", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/publish`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) });
  const event = (id: number, workpoint = 1) => ({ type: "create", data: { id, specialist_id: 3, workpoint_id: workpoint } });

  it("publishes with a publisher token to the viewers of the event's scope; viewer tokens, no token and tokens outside their workpoints are refused", async () => {
    const hub = await startServe(["--secret", SECRET, "--redis", redis.url, "--key-prefix", `pub${Date.now()}`]);
    const viewer = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    await ready(viewer);
    const minted = await runCli(["token", "--publisher", "--secret", SECRET]);
    const limited = await runCli(["token", "--publisher", "--workpoints", "1", "--secret", SECRET]);
    const ok = await post(hub.url, event(1), bearer(minted.stdout.trim()));
    const okBody = (await ok.json()) as { id: string };
    const answers = {
      viewerToken: (await post(hub.url, event(2), bearer(await viewerToken({ role: "admin" })))).status,
      noToken: (await post(hub.url, event(3))).status,
      otherWorkpoint: (await post(hub.url, event(4, 2), bearer(limited.stdout.trim()))).status,
      ownWorkpoint: (await post(hub.url, event(5, 1), bearer(limited.stdout.trim()))).status,
    };
    await viewer.waitForEvents(2);
    await sleep(100);
    expect({ status: ok.status, sameId: viewer.events[0]?.id === okBody.id, answers, delivered: viewer.events.map((e) => JSON.parse(e.data).data.id) }).toEqual({
      status: 200,
      sameId: true,
      answers: { viewerToken: 403, noToken: 401, otherWorkpoint: 403, ownWorkpoint: 200 },
      delivered: [1, 5],
    });
  });

  it("with --publisher-secret, only tokens signed with it may publish", async () => {
    const hub = await startServe(["--secret", SECRET, "--publisher-secret", PUBLISHER_SECRET, "--redis", redis.url, "--key-prefix", `pubs${Date.now()}`]);
    const right = (await runCli(["token", "--publisher", "--secret", PUBLISHER_SECRET])).stdout.trim();
    const wrong = (await runCli(["token", "--publisher", "--secret", SECRET])).stdout.trim();
    expect([(await post(hub.url, event(1), bearer(right))).status, (await post(hub.url, event(2), bearer(wrong))).status]).toEqual([200, 401]);
  });

  it("publish --origin carries the tab's client id in the event", async () => {
    const prefix = `orig${Date.now()}`;
    const hub = await startServe(["--secret", SECRET, "--redis", redis.url, "--key-prefix", prefix]);
    const viewer = await sse(`${hub.url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
    await ready(viewer);
    const result = await runCli(["publish", "--type", "create", "--id", "7", "--specialist", "3", "--workpoint", "1", "--origin", "tab-42", "--redis", redis.url, "--key-prefix", prefix]);
    await viewer.waitForEvents(1);
    expect([result.code, JSON.parse(viewer.events[0]?.data ?? "{}").origin]).toEqual([0, "tab-42"]);
  });

  it("says what is wrong with a topology: two at once, a single Redis given as --cluster, --sentinel without a master", async () => {
    const port = new URL(redis.url).port;
    const both = await runCli(["serve", "--secret", SECRET, "--redis", redis.url, "--cluster", `127.0.0.1:${port}`]);
    const single = await runCli(["publish", "--type", "create", "--id", "1", "--specialist", "3", "--workpoint", "1", "--cluster", `127.0.0.1:${port}`]);
    const noMaster = await runCli(["serve", "--secret", SECRET, "--sentinel", "127.0.0.1:26399"]);
    expect([both.code, both.stderr.includes("give one of --redis, --sentinel or --cluster")]).toEqual([2, true]);
    expect([single.code, /cluster/i.test(single.stderr)]).toEqual([2, true]);
    expect([noMaster.code, noMaster.stderr.includes("--sentinel-master")]).toEqual([2, true]);
  });
});
