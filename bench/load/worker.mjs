// A load-generator worker process: holds its share of the client connections, timestamps every
// delivery, and answers the controller's commands over IPC. Started by generator.mjs with fork().
import { monitorEventLoopDelay } from "node:perf_hooks";
import hdr from "hdr-histogram-js";
import { SocketIoConnection, SseConnection, loadSocketIo } from "./connections.mjs";
import { numberAfter } from "./sse-stream.mjs";

const now = () => performance.timeOrigin + performance.now();
const newHistogram = () =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });

/** @type {import("./connections.mjs").Connection[]} */
let conns = [];
let histogram = newHistogram();
let loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpuMark = process.cpuUsage();
let wallMark = performance.now();

const window = { base: 0, count: 0 };
/** @type {{ first: Float64Array, last: Float64Array, count: Uint32Array }} */
let perEvent = { first: new Float64Array(0), last: new Float64Array(0), count: new Uint32Array(0) };
const counters = { deliveries: 0, outside: 0, duplicates: 0, heartbeats: 0, lost: 0, reconnects: 0, failures: 0, unparsed: 0 };
/** @type {Map<string, number>} */
const lostReasons = new Map();

let wantOpen = true; // false while dropped on purpose (storm)
let reconnectDelayMs = 250;
const MAX_RECONNECTS = 200;

// Reconnect storm state.
const storm = { active: false, start: 0, resumeSeq: -1, live: new Float64Array(0), resumed: new Float64Array(0), liveCount: 0, resumedCount: 0 };

/** @param {import("./connections.mjs").Connection} conn @param {number} seq @param {number} sentAt */
function record(conn, seq, sentAt) {
  const t = now();
  if (storm.active && seq >= storm.resumeSeq && storm.resumed[conn.index] === 0) {
    storm.resumed[conn.index] = t - storm.start;
    storm.resumedCount++;
  }
  const k = seq - window.base;
  if (k < 0 || k >= window.count) {
    counters.outside++;
    return;
  }
  const seen = (conn.seen ??= new Uint8Array(window.count));
  if (seen[k] === 1) {
    counters.duplicates++;
    return;
  }
  seen[k] = 1;
  counters.deliveries++;
  histogram.recordValue(Math.max(1, Math.round((t - sentAt) * 1000)));
  if (perEvent.count[k] === 0 || t < perEvent.first[k]) perEvent.first[k] = t;
  if (t > perEvent.last[k]) perEvent.last[k] = t;
  perEvent.count[k]++;
}

/** @type {import("./connections.mjs").ConnectionSink} */
const sink = {
  live(conn) {
    if (storm.active && storm.live[conn.index] === 0) {
      storm.live[conn.index] = now() - storm.start;
      storm.liveCount++;
    }
  },
  message(conn, data) {
    if (typeof data === "string") {
      const seq = numberAfter(data, '"seq":');
      const sentAt = numberAfter(data, '"sent_at":');
      if (Number.isNaN(seq) || Number.isNaN(sentAt)) counters.unparsed++;
      else record(conn, seq, sentAt);
    } else {
      const inner = /** @type {{ data?: { seq?: number, sent_at?: number } }} */ (data).data;
      if (inner && typeof inner.seq === "number" && typeof inner.sent_at === "number") record(conn, inner.seq, inner.sent_at);
      else counters.unparsed++;
    }
  },
  heartbeat() {
    counters.heartbeats++;
  },
  lost(conn, reason) {
    const wasStorm = storm.active;
    if (!wantOpen) return;
    counters.lost++;
    lostReasons.set(reason, (lostReasons.get(reason) ?? 0) + 1);
    if (conn.reconnects >= MAX_RECONNECTS) {
      counters.failures++;
      return;
    }
    conn.reconnects++;
    counters.reconnects++;
    // Jittered retry, as a real EventSource does after its `retry:` delay.
    const delay = (wasStorm ? reconnectDelayMs : 100) * (0.5 + Math.random());
    setTimeout(() => {
      if (wantOpen && !conn.isLive && !conn.abandoned) conn.open();
    }, delay).unref();
  },
};

/**
 * Opens connections with at most `concurrency` handshakes in flight.
 *
 * @param {import("./connections.mjs").Connection[]} list
 * @param {number} concurrency
 * @param {number} deadline - performance.now() deadline
 */
async function openAll(list, concurrency, deadline) {
  let next = 0;
  while (performance.now() < deadline) {
    let live = 0;
    for (let i = 0; i < next; i++) if (list[i]?.isLive) live++;
    if (live === list.length) return;
    const inFlight = next - live;
    for (let k = inFlight; k < concurrency && next < list.length; k++) list[next++]?.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const commands = {
  /** @param {{ specs: import("./connections.mjs").ConnectionSpec[], firstIndex: number, concurrency: number, timeoutMs: number, retryMs?: number }} args */
  async connect({ specs, concurrency, timeoutMs, retryMs }) {
    if (specs.some((s) => s.kind === "socketio")) await loadSocketIo();
    reconnectDelayMs = retryMs ?? 250;
    wantOpen = true;
    const start = performance.now();
    const fresh = specs.map((spec, i) =>
      spec.kind === "socketio" ? new SocketIoConnection(conns.length + i, spec, sink) : new SseConnection(conns.length + i, spec, sink),
    );
    conns.push(...fresh);
    await openAll(fresh, concurrency, start + timeoutMs);
    // Give up on those that never went live, so they neither retry nor count later.
    const dead = new Set(fresh.filter((c) => !c.isLive));
    if (dead.size > 0) {
      for (const conn of dead) {
        conn.abandoned = true;
        conn.close();
      }
      conns = conns.filter((c) => !dead.has(c));
      conns.forEach((c, i) => (c.index = i));
    }
    return { live: fresh.filter((c) => c.isLive).length, requested: fresh.length, ms: performance.now() - start, lostReasons: Object.fromEntries(lostReasons) };
  },

  /** Starts a measurement window for events with seq in [base, base+count). @param {{ base: number, count: number }} args */
  window({ base, count }) {
    window.base = base;
    window.count = count;
    perEvent = { first: new Float64Array(count), last: new Float64Array(count), count: new Uint32Array(count) };
    for (const conn of conns) conn.seen = undefined;
    for (const key of Object.keys(counters)) counters[/** @type {keyof typeof counters} */ (key)] = 0;
    lostReasons.clear();
    histogram = newHistogram();
    loop.disable();
    loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    cpuMark = process.cpuUsage();
    wallMark = performance.now();
    return { ok: true };
  },

  status() {
    return { deliveries: counters.deliveries, live: conns.filter((c) => c.isLive).length, total: conns.length, heartbeats: counters.heartbeats, stormLive: storm.liveCount, stormResumed: storm.resumedCount };
  },

  collect() {
    const cpu = process.cpuUsage(cpuMark);
    const wallMs = performance.now() - wallMark;
    return {
      histogram: hdr.encodeIntoCompressedBase64(histogram),
      perEvent: { first: Array.from(perEvent.first), last: Array.from(perEvent.last), count: Array.from(perEvent.count) },
      counters: { ...counters },
      lostReasons: Object.fromEntries(lostReasons),
      live: conns.filter((c) => c.isLive).length,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      // The histogram holds whole timer intervals: lag is what exceeds the 10 ms resolution.
      loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - 10),
      loopDelayMaxMs: Math.max(0, loop.max / 1e6 - 10),
      memoryMiB: process.memoryUsage().rss / 2 ** 20,
    };
  },

  /** Drops every connection at once, on purpose. */
  drop() {
    wantOpen = false;
    for (const conn of conns) conn.close();
    return { dropped: conns.length };
  },

  /** Reopens every connection at once (with its Last-Event-ID) and starts timing. @param {{ resumeSeq: number, retryMs?: number }} args */
  reconnect({ resumeSeq, retryMs }) {
    reconnectDelayMs = retryMs ?? 250;
    storm.active = true;
    storm.start = now();
    storm.resumeSeq = resumeSeq;
    storm.live = new Float64Array(conns.length);
    storm.resumed = new Float64Array(conns.length);
    storm.liveCount = 0;
    storm.resumedCount = 0;
    wantOpen = true;
    for (const conn of conns) {
      conn.reconnects = 0;
      conn.open();
    }
    return { started: conns.length };
  },

  stormCollect() {
    storm.active = false;
    return { live: Array.from(storm.live), resumed: Array.from(storm.resumed), reconnects: counters.reconnects, lostReasons: Object.fromEntries(lostReasons) };
  },

  close() {
    wantOpen = false;
    for (const conn of conns) conn.close();
    conns = [];
    return { ok: true };
  },
};

process.on("message", async (/** @type {{ id: number, cmd: keyof typeof commands, args?: any }} */ message) => {
  try {
    const result = await commands[message.cmd](message.args ?? {});
    process.send?.({ id: message.id, ok: true, result });
  } catch (error) {
    process.send?.({ id: message.id, ok: false, error: String(/** @type {Error} */ (error)?.stack ?? error) });
  }
});
process.on("disconnect", () => process.exit(0));
process.send?.({ id: 0, ok: true, result: "ready" });
