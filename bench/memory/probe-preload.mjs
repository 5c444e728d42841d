// Preloaded (`node --import`) into a server under test by stream-heap.mjs, bench only. When
// MEM_PROBE_PORT is set, it listens on 127.0.0.1:<port> for one line per command and answers one JSON
// line: `measure` (two full GCs, then process.memoryUsage() and V8's heap spaces) or
// `snapshot <path>` (two full GCs, then v8.writeHeapSnapshot(path)).
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

/** @param {string} line */
function answer(line) {
  const [command, ...rest] = line.trim().split(" ");
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
        let reply;
        try {
          reply = { ok: true, ...answer(line) };
        } catch (error) {
          reply = { ok: false, error: String(error) };
        }
        socket.write(`${JSON.stringify(reply)}\n`);
      }
    });
    socket.on("error", () => {});
  });
  server.unref();
  server.listen(port, "127.0.0.1");
}
