// Runs one system with probe-preload.mjs in its server and the load generator's N streams against it,
// measuring the server at 0 and at N streams: what the passes of stream-heap.mjs build on.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, sleep } from "../lib/net.mjs";

const PROBE = fileURLToPath(new URL("./probe-preload.mjs", import.meta.url));
/** Node flags given for the servers (e.g. `--max-semi-space-size=4`), before the probe's. */
const EXTRA_NODE_ARGS = process.env["BENCH_SERVER_NODE_ARGS"] ?? "";

/** @typedef {Awaited<ReturnType<typeof probeClient>>} Probe */

/** A line-per-command client of probe-preload.mjs. @param {number} port */
export async function probeClient(port) {
  const socket = connect({ host: "127.0.0.1", port });
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  socket.setEncoding("utf8");
  let buffered = "";
  /** @type {((line: string) => void)[]} */
  const waiting = [];
  socket.on("data", (chunk) => {
    buffered += chunk;
    for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
      waiting.shift()?.(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
  });
  return {
    /** @param {string} command */
    async ask(command) {
      const line = await new Promise((resolve) => {
        waiting.push(resolve);
        socket.write(`${command}\n`);
      });
      const reply = JSON.parse(/** @type {string} */ (line));
      if (!reply.ok) throw new Error(`probe: ${reply.error}`);
      return reply;
    },
    close: () => socket.destroy(),
  };
}

/**
 * Starts a system with the probe in it, measures at 0 streams, opens `n`, measures again, stops.
 *
 * @param {{ system: import("../systems/types.mjs").SystemDefinition, n: number, settleMs: number, redis: import("../lib/redis.mjs").BenchRedis, generator: import("../load/generator.mjs").LoadGenerator, measure: (probe: Probe, phase: "before" | "after", pids: number[]) => Promise<unknown> }} options
 */
export async function withStreams({ system, n, settleMs, redis, generator, measure }) {
  const port = await freePort();
  process.env["MEM_PROBE_PORT"] = String(port);
  process.env["BENCH_SERVER_NODE_ARGS"] = `${EXTRA_NODE_ARGS} --import ${PROBE}`;
  await redis.flush();
  const tmpDir = mkdtempSync(join(tmpdir(), `stream-heap-${system.name}-`));
  const instance = await system.start({ n, redis, tmpDir, heartbeatMs: 15_000 });
  let probe;
  try {
    probe = await probeClient(port);
    await sleep(500);
    const before = await measure(probe, "before", instance.pids());
    const opened = await generator.connect(instance.target, Array.from({ length: n }, () => ({ role: /** @type {const} */ ("admin") })), { timeoutMs: 120_000 });
    if (opened.live < n) throw new Error(`${system.name}: ${opened.live} of ${n} streams live (${JSON.stringify(opened.lostReasons)})`);
    console.log(`[stream-heap] ${system.name}: ${n} streams live in ${Math.round(opened.ms)} ms`);
    await sleep(settleMs);
    const after = await measure(probe, "after", instance.pids());
    return { before, after };
  } finally {
    probe?.close();
    await generator.closeAll().catch(() => {});
    await instance.stop().catch(() => {});
    rmSync(tmpDir, { recursive: true, force: true });
  }
}
