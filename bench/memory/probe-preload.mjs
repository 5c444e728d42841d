// Preloaded (`node --import`) into a server under test by stream-heap.mjs, bench only. When
// MEM_PROBE_PORT is set, it listens on 127.0.0.1:<port> for one line per command and answers one JSON
// line: `measure` (two full GCs, then process.memoryUsage() and V8's heap spaces),
// `snapshot <path>` (two full GCs, then v8.writeHeapSnapshot(path)), or `sample start` / `sample stop`
// (V8's sampling heap profiler, counting objects already collected too: where allocations come from).
import { Session } from "node:inspector";
import { createServer } from "node:net";
import { getHeapSpaceStatistics, writeHeapSnapshot } from "node:v8";

const port = Number(process.env["MEM_PROBE_PORT"] ?? 0);

/** Collects garbage twice: weak references and finalizers cleared in the first go are freed in the second. */
function collect() {
  const gc = /** @type {(() => void) | undefined} */ (/** @type {any} */ (globalThis).gc);
  if (!gc) throw new Error("the probe needs --expose-gc");
  gc();
  gc();
}

/** @type {Session | undefined} */
let session;

/** @param {string} method @param {object} [params] @returns {Promise<any>} */
const post = (method, params) =>
  new Promise((resolve, reject) => /** @type {Session} */ (session).post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

/** Starts or stops the sampling heap profiler; `stop` answers the profile's tree. @param {string} what */
async function sample(what) {
  if (what === "start") {
    if (!session) (session = new Session()).connect();
    await post("HeapProfiler.startSampling", { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    return {};
  }
  const { profile } = await post("HeapProfiler.stopSampling");
  return { profile: profile.head };
}

/** @param {string} line */
async function answer(line) {
  const [command, ...rest] = line.trim().split(" ");
  if (command === "sample") return sample(rest[0] ?? "");
  collect();
  if (command === "measure") {
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size, available: s.space_available_size, physical: s.physical_space_size }]));
    return { pid: process.pid, ...process.memoryUsage(), spaces };
  }
  if (command === "snapshot") return { pid: process.pid, path: writeHeapSnapshot(rest.join(" ")) };
  throw new Error(`unknown probe command ${JSON.stringify(command)}`);
}

if (port > 0) {
  const server = createServer((socket) => {
    let buffered = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      buffered += chunk;
      for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        answer(line).then(
          (reply) => socket.write(`${JSON.stringify({ ok: true, ...reply })}\n`),
          (error) => socket.write(`${JSON.stringify({ ok: false, error: String(error) })}\n`),
        );
      }
    });
    socket.on("error", () => {});
  });
  server.unref();
  server.listen(port, "127.0.0.1");
}
