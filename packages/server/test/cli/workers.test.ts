// `serve --workers N` (issue 16): N hub processes on one port through node:cluster, each with its own
// Redis subscription; caps and /metrics for the whole server; drains, replacements and crash restarts.
import { availableParallelism } from "node:os";
import { type RedisServer, type SseReader, hasRedisServer, openSse, resumingReader, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ioredisBroker } from "../../src/brokers/ioredis.js";
import { createBookingHub } from "../../src/hub/create-hub.js";
import { SECRET, bearer, killChildren, runCli, startServe, until, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});
// A new TCP connection per stream (no keep-alive reuse), so node:cluster hands each to a worker in turn.
const sse = async (url: string, headers: Record<string, string> = {}): Promise<SseReader> => {
  const reader = await openSse(url, { Connection: "close", ...headers });
  readers.push(reader);
  return reader;
};
let viewers = 0;
const adminStream = async (url: string): Promise<SseReader> => sse(`${url}/events`, bearer(await viewerToken({ role: "admin", sub: `admin-${++viewers}` })));

interface WorkerFigures {
  worker: number;
  pid: number;
  connections: { admin: number; supervisor: number; specialist: number };
}
interface Metrics {
  connections: { admin: number };
  eventsReceived: number;
  eventsDelivered: number;
  workers: WorkerFigures[];
  workersMissing: Array<{ worker: number; pid: number }>;
}
const metricsJson = async (url: string): Promise<Metrics> => (await (await fetch(`${url}/metrics?format=json`, { headers: { Connection: "close" } })).json()) as Metrics;
const adminsPerWorker = (metrics: Metrics): number[] => metrics.workers.map((w) => w.connections.admin);
/** Worker number → pid, from the primary's "worker N started (pid P)" lines (the latest per worker). */
const startedPids = (stdout: string): Map<number, number> =>
  new Map([...stdout.matchAll(/worker (\d+) started \(pid (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])] as const).sort(([a], [b]) => a - b));

describe("serve --workers: refused values", () => {
  it.each(["0", "-1", "abc", "1.5", "257"])("--workers %s is refused with exit 2 and what is accepted", async (value) => {
    const result = await runCli(["serve", `--workers=${value}`, "--secret", SECRET, "--redis", "redis://127.0.0.1:1"]);
    expect({ code: result.code, stdout: result.stdout, says: /--workers must be (a whole number or auto|between 1 and 256 \(or auto\)), got/.test(result.stderr) }).toEqual({ code: 2, stdout: "", says: true });
  });

  it("--workers 2 without Redis is refused at start, naming the fix", async () => {
    const result = await runCli(["serve", "--workers", "2", "--secret", SECRET]);
    expect({ code: result.code, stderr: result.stderr.trim() }).toEqual({
      code: 2,
      stderr:
        "realtime-bookings serve: --workers 2 needs Redis: with the in-memory broker each worker would see only what it publishes itself. Pass --redis redis://host:6379 (or REDIS_URL, --sentinel, --cluster), or run --workers 1 (see realtime-bookings serve --help)",
    });
  });

  it("a cap too small to split over the workers is refused", async () => {
    const result = await runCli(["serve", "--workers", "3", "--max-connections", "2", "--secret", SECRET, "--redis", "redis://127.0.0.1:1"]);
    expect([result.code, result.stderr.includes("give each worker at least one, e.g. --max-connections 3")]).toEqual([2, true]);
  });
});

// Several processes per test on a shared, loaded machine: generous bounds (no assertion is about speed).
describe.skipIf(!hasRedisServer())("serve --workers on Redis", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let prefixes = 0;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  let prefix = "";
  const serveWorkers = (workers: string, ...args: string[]) => {
    prefix = `wk${process.pid}x${++prefixes}`;
    // The resuming readers reconnect by URL, with the token in it: the opt-in that allows it.
    return startServe(["--workers", workers, "--secret", SECRET, "--redis", redis.url, "--key-prefix", prefix, "--retry-ms", "100", "--allow-query-token", ...args]);
  };
  /** Publishes straight to Redis, as an app does (a library hub used only to publish). */
  const publishToRedis = (): { publish: (id: number) => Promise<string>; close: () => Promise<void> } => {
    const client = new Redis(redis.url);
    const app = createBookingHub({ broker: ioredisBroker(client, { prefix }), authenticate: () => null });
    return {
      publish: async (id) => (await app.publish({ type: "update", data: { id, specialist_id: 3, workpoint_id: 1 } })).id,
      close: async () => {
        await app.close();
        client.disconnect();
      },
    };
  };
  const publishTo = async (hubUrl: string): Promise<(id: number) => Promise<string>> => {
    const token = (await runCli(["token", "--publisher", "--secret", SECRET])).stdout.trim();
    return async (id) => {
      const response = await fetch(`${hubUrl}/publish`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Connection: "close", ...bearer(token) },
        body: JSON.stringify({ type: "update", data: { id, specialist_id: 3, workpoint_id: 1 } }),
        signal: AbortSignal.timeout(5_000),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { id: string }).id;
    };
  };

  it("--workers auto starts one worker per core", async () => {
    const hub = await startServe(["--secret", SECRET, "--redis", redis.url], { env: { REALTIME_BOOKINGS_WORKERS: "auto" } });
    const cores = availableParallelism();
    expect(startedPids(hub.stdout()).size).toBe(cores > 1 ? cores : 0);
    if (cores > 1) expect(hub.stdout()).toContain(`split evenly over ${cores} workers`);
  });

  it("streams land on both workers, every one gets each event once, and /metrics adds up every worker", async () => {
    const hub = await serveWorkers("2");
    const pids = startedPids(hub.stdout());
    expect([...pids.keys()].sort()).toEqual([1, 2]);
    const streams: SseReader[] = [];
    for (let i = 0; i < 6; i++) streams.push(await adminStream(hub.url));
    const publish = await publishTo(hub.url);
    const ids = [await publish(1), await publish(2)];
    await Promise.all(streams.map((s) => s.waitForEvents(2)));
    await sleep(200);
    const metrics = await metricsJson(hub.url);
    const text = await (await fetch(`${hub.url}/metrics`, { headers: { Connection: "close" } })).text();
    const sample = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1]);
    expect({
      received: streams.map((s) => s.events.map((e) => e.id)),
      workers: metrics.workers.map((w) => [w.worker, w.pid]),
      // Both workers hold streams: events reached both through their own subscriptions.
      bothHoldStreams: adminsPerWorker(metrics).every((n) => n > 0),
      totalStreams: [metrics.connections.admin, sample('realtime_bookings_connections\\{role="admin"\\}')],
      delivered: [metrics.eventsDelivered, sample("realtime_bookings_events_delivered_total")],
      perWorkerLines: [...text.matchAll(/^realtime_bookings_worker_up\{worker="(\d)",pid="(\d+)"\} 1$/gm)].map((m) => [Number(m[1]), Number(m[2])]),
      missing: metrics.workersMissing,
    }).toEqual({
      received: streams.map(() => ids),
      workers: [...pids],
      bothHoldStreams: true,
      totalStreams: [6, 6],
      delivered: [12, 12],
      perWorkerLines: [...pids],
      missing: [],
    });
  });

  it("--max-connections is the whole server's: 10 with 2 workers admits 10 streams, 5 on each, not 20", async () => {
    const hub = await serveWorkers("2", "--max-connections", "10");
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 40 && statuses.filter((s) => s === 200).length < 10; attempt++) {
      const stream = await adminStream(hub.url);
      statuses.push(stream.status);
      if (stream.status !== 200) stream.close();
    }
    const beyond: number[] = [];
    for (let i = 0; i < 6; i++) beyond.push((await adminStream(hub.url)).status);
    const metrics = await metricsJson(hub.url);
    expect({ admitted: statuses.filter((s) => s === 200).length, beyond, perWorker: adminsPerWorker(metrics), total: metrics.connections.admin }).toEqual({
      admitted: 10,
      beyond: [429, 429, 429, 429, 429, 429],
      perWorker: [5, 5],
      total: 10,
    });
  });

  it("a worker that does not answer is reported missing on /metrics, which still answers with the others", async () => {
    const hub = await serveWorkers("2");
    const pids = startedPids(hub.stdout());
    const stopped = pids.get(2) as number;
    process.kill(stopped, "SIGSTOP");
    try {
      let metrics: Metrics | undefined;
      // The port's connections go to the workers in turn: one may land on the stopped worker; try again.
      for (let attempt = 0; attempt < 6 && !metrics; attempt++) {
        metrics = await Promise.race([metricsJson(hub.url), sleep(3_000).then(() => undefined)]).catch(() => undefined);
      }
      expect({ answered: metrics?.workers.map((w) => w.pid), missing: metrics?.workersMissing }).toEqual({ answered: [pids.get(1)], missing: [{ worker: 2, pid: stopped }] });
    } finally {
      process.kill(stopped, "SIGCONT");
    }
  });

  it("SIGTERM to the primary drains every worker and exits 0 within the drain and shutdown bound", async () => {
    const hub = await serveWorkers("2", "--drain-ms", "1000", "--shutdown-timeout-ms", "2000");
    const pids = startedPids(hub.stdout());
    const streams: SseReader[] = [];
    for (let i = 0; i < 6; i++) streams.push(await adminStream(hub.url));
    const started = Date.now();
    const exit = await hub.stop("SIGTERM", 1000 + 2000 + 2000 + 3000);
    const elapsed = Date.now() - started;
    await Promise.all(streams.map((s) => s.ended));
    const ending = [...hub.stdout().matchAll(/SIGTERM, ending (\d+) streams/g)].map((m) => Number(m[1]));
    expect({
      exit,
      inTime: elapsed < 1000 + 2000 + 2000 + 1000,
      workersEnding: ending.length,
      streamsEnded: ending.reduce((a, b) => a + b, 0),
      toldToComeBack: streams.every((s) => /retry: \d+\n\n$/.test(s.raw())),
      exits: [...pids].map(([worker, pid]) => hub.stdout().includes(`worker ${worker} (pid ${pid}) exited (code 0, shutting down)`)),
      // A worker leaving during the shutdown is not replaced.
      starts: (hub.stdout().match(/started \(pid/g) ?? []).length,
    }).toEqual({ exit: { code: 0, signal: null }, inTime: true, workersEnding: 2, streamsEnded: 6, toldToComeBack: true, exits: [true, true], starts: 2 });
    await expect(fetch(`${hub.url}/healthz`)).rejects.toThrow();
  });

  it("SIGTERM to one worker drains just it; the primary replaces it and its streams resume on the others", async () => {
    const hub = await serveWorkers("2", "--drain-ms", "500");
    const pids = startedPids(hub.stdout());
    const publish = await publishTo(hub.url);
    const token = await viewerToken({ role: "admin", sub: "resumer" });
    const clients = Array.from({ length: 4 }, () => resumingReader([`${hub.url}/events?token=${token}`]));
    await Promise.all(clients.map((c) => c.live()));
    const before = [await publish(1), await publish(2)];
    const leaving = pids.get(1) as number;
    process.kill(leaving, "SIGTERM");
    await until(() => (startedPids(hub.stdout()).get(1) ?? leaving) !== leaving, 10_000, "worker 1's replacement");
    await until(() => hub.stdout().includes(`worker 1 (pid ${leaving}) exited (code 0, drained; replaced)`), 10_000, "worker 1 to leave");
    const after = [await publish(3), await publish(4)];
    await until(() => clients.every((c) => c.entries.length >= 4), 10_000, "every event at every client");
    await sleep(200);
    for (const c of clients) c.stop();
    expect({
      primaryRunning: hub.child.exitCode,
      received: clients.map((c) => c.entries.map((e) => e.id)),
      health: (await fetch(`${hub.url}/healthz`, { headers: { Connection: "close" } })).status,
    }).toEqual({ primaryRunning: null, received: clients.map(() => [...before, ...after]), health: 200 });
  });

  it("a SIGKILLed worker is restarted and its clients resume by Last-Event-ID: nothing lost, nothing doubled", async () => {
    const hub = await serveWorkers("2");
    const pids = startedPids(hub.stdout());
    const app = publishToRedis();
    try {
      // A history to resume in: a stream opened on an empty history starts at 0-0, from which the hub
      // answers a resume with an honest resync, not a replay (it cannot tell 0-0 from a forgotten scope).
      await app.publish(0);
      await until(async () => (await metricsJson(hub.url)).eventsReceived === 2, 5_000, "both workers to hear the first event");
      const token = await viewerToken({ role: "admin", sub: "survivor" });
      const clients = Array.from({ length: 6 }, () => resumingReader([`${hub.url}/events?token=${token}`]));
      await Promise.all(clients.map((c) => c.live()));
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) ids.push(await app.publish(i));
      const killed = pids.get(2) as number;
      process.kill(killed, "SIGKILL");
      // Published while the killed worker's clients are away: they must get these on resume.
      for (let i = 4; i <= 6; i++) ids.push(await app.publish(i));
      await until(() => (startedPids(hub.stdout()).get(2) ?? killed) !== killed, 10_000, "worker 2's restart");
      for (let i = 7; i <= 8; i++) ids.push(await app.publish(i));
      await until(() => clients.every((c) => c.entries.length >= ids.length), 10_000, "every event at every client");
      await sleep(200);
      for (const c of clients) c.stop();
      expect({
        log: new RegExp(`worker 2 \\(pid ${killed}\\) exited \\(killed by SIGKILL\\) unexpectedly; restarting it in \\d+ ms`).test(hub.stderr()),
        someResumed: clients.some((c) => c.connects > 1),
        received: clients.map((c) => c.entries.map((e) => e.id)),
      }).toEqual({ log: true, someResumed: true, received: clients.map(() => ids) });
    } finally {
      await app.close();
    }
  });

  it("a worker that keeps crashing right after it starts is given up on: a clear log and exit 1", async () => {
    const hub = await serveWorkers("2");
    for (let crash = 1; crash <= 5 && hub.child.exitCode === null; crash++) {
      const pid = startedPids(hub.stdout()).get(2) as number;
      process.kill(pid, "SIGKILL");
      if (crash < 5) await until(() => startedPids(hub.stdout()).get(2) !== pid || hub.child.exitCode !== null, 15_000, `restart ${crash}`);
    }
    const exit = await hub.exited;
    expect({ exit, said: /worker 2 \(pid \d+\) exited \(killed by SIGKILL\); it crashed 5 times in a row within 10 s of starting, giving up/.test(hub.stderr()) }).toEqual({
      exit: { code: 1, signal: null },
      said: true,
    });
  });
});
