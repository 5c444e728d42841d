// Issue 14: a rolling deploy behind a real proxy. Two `realtime-bookings serve` processes on one
// redis-server, behind nginx (2,000 viewers) and then HAProxy (500 viewers, to keep the run short),
// each configured exactly as docs/deployment.md says (the test reads the blocks from the page);
// raw-HTTP viewers of mixed scopes; a publisher at ~50 events/s throughout.
// SIGTERM hub 1, start it again on its port, then the same for hub 2. The drain window is 5 s (the
// default is 10 s) and the base retry 500 ms, to keep the test short.
import { spawnSync } from "node:child_process";
import { type BookingEvent, type EventScope } from "@realtime-bookings/protocol";
import { type RedisServer, freePort, hasRedisServer, requireBinary, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { SECRET, type ServeProcess, bearer, killChildren, startServe, viewerToken } from "../../packages/server/test/cli/support/cli.js";
import { checkSequence, expectedFor, recordFigures, scopeOf, totals, viewerOf } from "./support/ledger.js";
import { type Proxy, startHaproxy, startNginx } from "./support/proxy.js";
import { DirectPublisher } from "./support/publisher.js";
import { type SseViewer, startViewer } from "./support/sse-viewer.js";

const PROXIES = [
  { name: "nginx", start: startNginx, viewers: 2_000, available: () => hasRedisServer() && requireBinary("nginx", "apt-get install nginx") },
  { name: "HAProxy", start: startHaproxy, viewers: 500, available: () => hasRedisServer() && requireBinary("haproxy", "apt-get install haproxy") },
];
const DRAIN_MS = 5_000;
const RETRY_MS = 500;
const PREFIX = "deploy";

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  await killChildren();
});

/** The open-file limit this process inherited (`ulimit -n`), which the streams and proxy sockets count against. */
const openFileLimit = (): number => Number(spawnSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).stdout.trim().replace("unlimited", "Infinity"));

/** Viewer `i`'s name (as the ledger reads it): 10 % admins, 30 % supervisors of 3 workpoints, 60 % specialists of 20. */
const nameOf = (i: number): string => (i % 10 === 0 ? "admin" : i % 10 <= 3 ? `sup-${1 + (i % 3)}` : `spec-${1 + (i % 20)}`);

/** The token claims of a viewer name, with its own `sub` (the per-user cap is keyed by it). */
function claimsOf(name: string, i: number): Record<string, unknown> {
  const sub = `user-${i}`;
  if (name === "admin") return { role: "admin", sub };
  if (name.startsWith("sup-")) return { role: "supervisor", workpoint_id: Number(name.slice(4)), sub };
  return { role: "specialist", specialist_id: Number(name.slice(5)), sub };
}

/** Event `seq`: specialists 1–20 and workpoints 1–3 in turn; every 7th moves the booking. */
function eventFor(seq: number): BookingEvent {
  const data = { id: 5000 + (seq % 100), specialist_id: 1 + (seq % 20), workpoint_id: 1 + (seq % 3), seq };
  return seq % 7 === 0 ? { type: "update", data, previous: { specialist_id: 1 + ((seq + 1) % 20), workpoint_id: 1 + ((seq + 1) % 3) } } : { type: "create", data };
}

/** Waits (bounded) until `check` holds; returns whether it did. */
async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); !check(); await sleep(50)) if (Date.now() - t0 > ms) return false;
  return true;
}

/** How many of `times` fall in each second after `from`, over `seconds` one-second buckets. */
function perSecond(times: readonly number[], from: number, seconds: number): number[] {
  const buckets = Array.from({ length: seconds }, () => 0);
  for (const at of times) {
    const bucket = Math.floor((at - from) / 1000);
    if (bucket >= 0 && bucket < seconds) buckets[bucket] = (buckets[bucket] ?? 0) + 1;
  }
  return buckets;
}

/**
 * The reconnects a drain caused, per second from the SIGTERM until every viewer was live again (at
 * least the window plus the longest retry): the reconnect requests the viewers sent (what the drain
 * shapes), and the streams that opened (which adds how fast the busy hub and proxy answered). Peaks
 * are given against the mean over the drain window: the streams the hub held, divided by the window.
 */
function reconnectFigures(viewers: readonly SseViewer[], sigterm: number, allLiveMs: number) {
  const seconds = Math.ceil(Math.max(allLiveMs, DRAIN_MS + 2 * RETRY_MS) / 1000);
  const reconnectsPerSecond = perSecond(viewers.flatMap((v) => v.attempts.map((a) => a.at)), sigterm, seconds);
  const streamsOpenedPerSecond = perSecond(viewers.flatMap((v) => v.connects), sigterm, seconds);
  const reconnects = reconnectsPerSecond.reduce((a, b) => a + b, 0);
  const meanPerSecond = reconnects / (DRAIN_MS / 1000);
  return {
    reconnects,
    streamsOpened: streamsOpenedPerSecond.reduce((a, b) => a + b, 0),
    reconnectsPerSecond,
    streamsOpenedPerSecond,
    meanPerSecond,
    // Over two adjacent seconds: a test process starved of CPU for a few hundred ms sends what it owed
    // in the next second, which a one-second bucket reads as a peak; all at once still reads 2.5×.
    peakOverMean: Math.max(...reconnectsPerSecond.slice(1).map((n, i) => (n + (reconnectsPerSecond[i] ?? 0)) / 2)) / meanPerSecond,
    peakSecondOverMean: Math.max(...reconnectsPerSecond) / meanPerSecond,
    openedPeakOverMean: Math.max(...streamsOpenedPerSecond) / meanPerSecond,
  };
}

describe.each(PROXIES)("a rolling deploy behind a real $name (docs/deployment.md's configuration)", ({ name: proxyName, start, viewers: VIEWERS, available }) => {
  it.runIf(available())(`${VIEWERS} viewers keep every event of their scope exactly once, in order, with no resync, while both hubs restart one after the other`, async () => {
    // Viewers here, twice as many sockets in the proxy, and a hub's share: ask for the limit, not EMFILE.
    expect(openFileLimit(), "raise the open-file limit: ulimit -n 8192 (.ci/run does it)").toBeGreaterThanOrEqual(3 * VIEWERS + 1024);
    const redis: RedisServer = await startRedisServer();
    cleanup.push(() => redis.stop());
    const ports = [await freePort(), await freePort()];
    const serve = (port: number): Promise<ServeProcess> =>
      startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", PREFIX, "--path-prefix", "/realtime", "--port", String(port), "--drain-ms", String(DRAIN_MS), "--retry-ms", String(RETRY_MS)]);
    const hubs = [await serve(ports[0] as number), await serve(ports[1] as number)];
    const proxy: Proxy = await start(ports, VIEWERS);
    cleanup.push(() => proxy.stop());
    const connectionsOf = async (port: number): Promise<number> => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/realtime/metrics?format=json`)).json()) as { connections: Record<string, number> };
      return Object.values(body.connections).reduce((a, b) => a + b, 0);
    };

    const names = Array.from({ length: VIEWERS }, (_, i) => nameOf(i));
    const tokens = await Promise.all(names.map((name, i) => viewerToken(claimsOf(name, i), { ttlSec: 900 })));
    const viewers = tokens.map((token) => startViewer(`${proxy.url}/realtime/events`, { headers: bearer(token) }));
    cleanup.push(() => viewers.forEach((v) => v.stop()));
    expect(await until(() => viewers.every((v) => v.isLive), 60_000)).toBe(true);
    const spreadAtStart = [await connectionsOf(ports[0] as number), await connectionsOf(ports[1] as number)];

    const publisher = new DirectPublisher(redis.url, PREFIX);
    cleanup.push(() => publisher.close());
    await publisher.ready();
    const published: Array<{ seq: number; scope: EventScope }> = [];
    let publishing = true;
    const publishStarted = Date.now();
    const publishLoop = (async () => {
      for (let seq = 1; publishing && seq <= 10_000; seq++) {
        const due = publishStarted + seq * 20; // ~50 events/s
        const event = eventFor(seq);
        await publisher.publish(seq, event);
        published.push({ seq, scope: scopeOf(event) });
        await sleep(Math.max(0, due - Date.now()));
      }
    })();
    // Every viewer holds a real resume point (an event of its scope) before the first deploy: a
    // scope with no event yet resumes from `0-0`, which resyncs whenever the history holds any
    // event (a known limit, see docs/deployment.md), and is not what this test is about.
    expect(await until(() => viewers.every((v) => v.seqs.length > 0), 30_000)).toBe(true);
    await sleep(1_000);

    const deploys: Array<{ sigterm: number; hub: number; streamsOnHub: number; exit: unknown; exitMs: number; allLive: boolean; allLiveMs: number } & ReturnType<typeof reconnectFigures>> = [];
    for (const index of [0, 1]) {
      const hub = hubs[index] as ServeProcess;
      const onHub = await connectionsOf(ports[index] as number);
      const sigterm = Date.now();
      const exit = await hub.stop("SIGTERM", DRAIN_MS + 10_000);
      const exitMs = Date.now() - sigterm;
      hubs[index] = await serve(ports[index] as number);
      const allLive = await until(() => viewers.every((v) => v.isLive), 30_000);
      const allLiveMs = Date.now() - sigterm;
      // nginx tries the restarted hub at once; HAProxy after two good health checks (rise 2, every 1 s).
      await sleep(3_000);
      deploys.push({ sigterm, hub: index + 1, streamsOnHub: onHub, exit, exitMs, allLive, allLiveMs, ...reconnectFigures(viewers, sigterm, allLiveMs) });
    }
    await sleep(2_000);
    publishing = false;
    await publishLoop;
    const expected = names.map((name) => expectedFor(viewerOf(name), published));
    const hasLast = (v: SseViewer, i: number) => expected[i]?.length === 0 || v.seqs.includes(expected[i]?.at(-1) as number);
    await until(() => viewers.every(hasLast), 30_000);

    const sum = totals(viewers.map((v, i) => checkSequence(v.seqs, expected[i] as number[])));
    const refusals = viewers.flatMap((v) => v.attempts.filter((a) => a.status !== 200 && a.status !== -1).map((a) => a.status));
    const publishedPerSecond = published.length / ((Date.now() - publishStarted) / 1000);
    const hubStats = await Promise.all(ports.map(async (port) => (await (await fetch(`http://127.0.0.1:${port}/realtime/metrics?format=json`)).json()) as Record<string, unknown>));
    if (process.env["DEPLOY_DEBUG"]) console.log(proxy.log().split("\n").filter((l) => !l.includes("no live upstreams")).slice(0, 40).join("\n"), hubs.map((h) => h.stderr().slice(-2000)));
    recordFigures(`rolling-deploy-${proxyName.toLowerCase()}`, {
      proxy: proxyName,
      machine: "2 cores, shared with other test runs",
      viewers: VIEWERS,
      drainMs: DRAIN_MS,
      retryMs: RETRY_MS,
      events: published.length,
      publishedPerSecond: Math.round(publishedPerSecond * 10) / 10,
      spreadAtStart,
      deploys,
      refusedAttempts: refusals.length,
      refusedStatuses: [...new Set(refusals)],
      ...sum,
      firstResyncs: viewers.flatMap((v, i) => v.resyncNotes.map((note) => `${names[i]} ${note}`)).slice(0, 10),
      restartedHubs: hubStats.map((h) => ({ replays: h["replays"], resyncs: h["resyncs"], deliveryLagMs: h["deliveryLag"] })),
    });
    expect(sum).toEqual({ expected: sum.expected, received: sum.expected, lost: 0, duplicates: 0, outOfOrder: 0, forbidden: 0, resyncs: 0 });
    expect(refusals).toEqual([]); // no viewer saw an error: the proxy sent every attempt to a hub that took it
    expect(spreadAtStart.every((n) => n > VIEWERS / 4)).toBe(true); // the proxy spread the viewers over both hubs
    for (const deploy of deploys) {
      // Exited cleanly within the window + 2 s; every stream it held came back (through the proxy, to
      // the other hub), a few at a time.
      expect({ hub: deploy.hub, exit: deploy.exit, withinWindow: deploy.exitMs <= DRAIN_MS + 2_000, allLive: deploy.allLive, reconnects: deploy.reconnects, streamsOpened: deploy.streamsOpened }).toEqual({
        hub: deploy.hub,
        exit: { code: 0, signal: null },
        withinWindow: true,
        allLive: true,
        reconnects: deploy.streamsOnHub,
        streamsOpened: deploy.streamsOnHub,
      });
      // No two seconds of reconnect requests above 1.5 times the mean over the window (the per-second
      // histogram and its single-second peak are recorded; so are the opened streams, which on a
      // starved machine bunch where the hub or proxy stalled).
      expect(deploy.peakOverMean).toBeLessThanOrEqual(1.5);
    }
  }, 180_000);
});
