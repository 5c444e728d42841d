// The load generator's controller: forks worker processes (apart from the server under test),
// spreads connections over them and over several 127.0.0.0/8 source addresses, and merges what
// the workers measured.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import hdr from "hdr-histogram-js";
import { track } from "../lib/children.mjs";

const WORKER = fileURLToPath(new URL("./worker.mjs", import.meta.url));
/** Source addresses per worker: each gives its own ~28k ephemeral ports, so storms never run out. */
const ADDRESSES_PER_WORKER = 8;

/**
 * @typedef {object} Scope
 * @property {"admin" | "specialist" | "supervisor"} role
 * @property {number} [specialist]
 * @property {number} [workpoint]
 */

/**
 * @typedef {object} Target
 * @property {"sse" | "socketio"} kind
 * @property {number[]} ports - connection i goes to ports[i % ports.length] (several hub processes)
 * @property {(scope: Scope) => string} path - SSE request path for a scope
 * @property {(scope: Scope) => Record<string,string>} [query] - socket.io handshake query for a scope
 */

/** A forked worker with a request/response channel. */
class WorkerHandle {
  /** @param {number} index */
  constructor(index) {
    this.index = index;
    this.nextId = 1;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void }>} */
    this.pending = new Map();
    this.child = track(fork(WORKER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv: ["--max-old-space-size=4096"] }));
    this.ready = new Promise((resolve, reject) => {
      this.pending.set(0, { resolve, reject });
    });
    this.child.on("message", (/** @type {{ id: number, ok: boolean, result?: any, error?: string }} */ message) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load worker ${this.index}: ${message.error}`));
    });
    this.child.on("exit", (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`load worker ${this.index} exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  /** @param {string} cmd @param {unknown} [args] @param {number} [timeoutMs] */
  call(cmd, args, timeoutMs = 600_000) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`load worker ${this.index}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args });
    });
  }
}

/**
 * Decodes and adds up the workers' HDR histograms (values in microseconds).
 *
 * @param {string[]} encoded
 */
export function mergeHistograms(encoded) {
  const total = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  for (const text of encoded) total.add(hdr.decodeFromCompressedBase64(text));
  return total;
}

/**
 * The load generator: `workers` processes that together hold the connections.
 */
export class LoadGenerator {
  /** @param {{ workers: number }} options */
  constructor({ workers }) {
    this.workers = Array.from({ length: workers }, (_, i) => new WorkerHandle(i));
    /** @type {number[]} connections per worker, in the order they were opened */
    this.shares = this.workers.map(() => 0);
    this.opened = 0;
  }

  async ready() {
    await Promise.all(this.workers.map((w) => w.ready));
  }

  /** Worker process ids, for CPU sampling. */
  pids() {
    return this.workers.map((w) => /** @type {number} */ (w.child.pid));
  }

  /**
   * Opens one connection per scope, spread round-robin over the workers, at most `concurrency`
   * handshakes in flight per worker.
   *
   * @param {Target} target
   * @param {Scope[]} scopes
   * @param {{ concurrency?: number, timeoutMs?: number, retryMs?: number }} [options]
   * @returns {Promise<{ live: number, requested: number, ms: number, lostReasons: Record<string, number> }>}
   */
  async connect(target, scopes, { concurrency = 256, timeoutMs = 120_000, retryMs = 250 } = {}) {
    const perWorker = this.workers.map(() => /** @type {any[]} */ ([]));
    scopes.forEach((scope, i) => {
      const w = i % this.workers.length;
      const k = perWorker[w]?.length ?? 0;
      perWorker[w]?.push({
        kind: target.kind,
        port: target.ports[i % target.ports.length],
        path: target.path(scope),
        query: target.query?.(scope) ?? {},
        localAddress: `127.0.${10 + w}.${1 + (k % ADDRESSES_PER_WORKER)}`,
      });
    });
    const start = performance.now();
    const results = await Promise.all(
      this.workers.map((w, i) => w.call("connect", { specs: perWorker[i], concurrency, timeoutMs, retryMs }, timeoutMs + 30_000)),
    );
    const lostReasons = {};
    for (const r of results) for (const [k, v] of Object.entries(r.lostReasons)) lostReasons[k] = (lostReasons[k] ?? 0) + v;
    return {
      live: results.reduce((a, r) => a + r.live, 0),
      requested: scopes.length,
      ms: performance.now() - start,
      lostReasons,
    };
  }

  /** Starts a measurement window for event sequence numbers [base, base+count). */
  async window(base, count) {
    await Promise.all(this.workers.map((w) => w.call("window", { base, count })));
  }

  /** Cheap counters from every worker, added up. */
  async status() {
    const all = await Promise.all(this.workers.map((w) => w.call("status")));
    return all.reduce(
      (a, s) => ({
        deliveries: a.deliveries + s.deliveries,
        live: a.live + s.live,
        total: a.total + s.total,
        heartbeats: a.heartbeats + s.heartbeats,
        stormLive: a.stormLive + s.stormLive,
        stormResumed: a.stormResumed + s.stormResumed,
      }),
      { deliveries: 0, live: 0, total: 0, heartbeats: 0, stormLive: 0, stormResumed: 0 },
    );
  }

  /**
   * Everything the workers measured in the current window, merged: one histogram of every
   * delivery, and per event the first and last receive times across all workers.
   */
  async collect() {
    const all = await Promise.all(this.workers.map((w) => w.call("collect")));
    const histogram = mergeHistograms(all.map((r) => r.histogram));
    const count = all[0]?.perEvent.count.length ?? 0;
    const first = new Float64Array(count);
    const last = new Float64Array(count);
    const receivers = new Uint32Array(count);
    for (const r of all) {
      for (let k = 0; k < count; k++) {
        const c = r.perEvent.count[k];
        if (c === 0) continue;
        if (receivers[k] === 0 || r.perEvent.first[k] < first[k]) first[k] = r.perEvent.first[k];
        if (r.perEvent.last[k] > last[k]) last[k] = r.perEvent.last[k];
        receivers[k] += c;
      }
    }
    const counters = {};
    const lostReasons = {};
    for (const r of all) {
      for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.lostReasons)) lostReasons[k] = (lostReasons[k] ?? 0) + v;
    }
    return {
      histogram,
      first,
      last,
      receivers,
      counters,
      lostReasons,
      live: all.reduce((a, r) => a + r.live, 0),
      workers: all.map((r) => ({ cpuPercent: r.cpuPercent, loopDelayP99Ms: r.loopDelayP99Ms, loopDelayMaxMs: r.loopDelayMaxMs, memoryMiB: r.memoryMiB })),
    };
  }

  /** Drops every connection at once. */
  async drop() {
    await Promise.all(this.workers.map((w) => w.call("drop")));
  }

  /** Reopens every connection at once, each with its Last-Event-ID. */
  async reconnect(resumeSeq, retryMs = 250) {
    await Promise.all(this.workers.map((w) => w.call("reconnect", { resumeSeq, retryMs })));
  }

  /** Per-connection times (ms from the reconnect command; 0 = never) to live and to resumed. */
  async stormCollect() {
    const all = await Promise.all(this.workers.map((w) => w.call("stormCollect")));
    const lostReasons = {};
    for (const r of all) for (const [k, v] of Object.entries(r.lostReasons)) lostReasons[k] = (lostReasons[k] ?? 0) + v;
    return {
      live: all.flatMap((r) => r.live),
      resumed: all.flatMap((r) => r.resumed),
      reconnects: all.reduce((a, r) => a + r.reconnects, 0),
      lostReasons,
    };
  }

  /** Closes every connection (the workers stay up). */
  async closeAll() {
    await Promise.all(this.workers.map((w) => w.call("close")));
  }

  /** Ends the worker processes. */
  async stop() {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise((resolve) => {
            if (w.child.exitCode !== null) return resolve(undefined);
            w.child.once("exit", resolve);
            w.child.disconnect?.();
            setTimeout(() => w.child.kill("SIGKILL"), 3000).unref();
          }),
      ),
    );
  }
}
