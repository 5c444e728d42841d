// Starts one of the bench's Node servers (bench/servers/*.mjs) as its own process.
import { fileURLToPath } from "node:url";
import { drain, spawnTracked, stopChild, waitForLine } from "../lib/children.mjs";
import { freePort, getJson, postJson } from "../lib/net.mjs";

/**
 * @param {string} script - file name in bench/servers/
 * @param {Record<string, string>} env
 */
export async function startNodeServer(script, env) {
  const port = await freePort();
  const path = fileURLToPath(new URL(`../servers/${script}`, import.meta.url));
  // BENCH_SERVER_NODE_ARGS: extra Node flags for the server under test, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env["BENCH_SERVER_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
  const child = spawnTracked(process.execPath, ["--expose-gc", "--max-old-space-size=8192", ...extra, path], {
    env: { ...process.env, ...env, PORT: String(port) },
  });
  await waitForLine(child, /READY \d+/, 20_000);
  drain(child, process.env["BENCH_VERBOSE"] ? script : undefined);
  return {
    port,
    pid: /** @type {number} */ (child.pid),
    /**
     * Publishes a batch; throws when the server could not publish all of it (the error says how many failed).
     *
     * @param {unknown[]} events
     */
    publish: async (events) => {
      const outcome = await postJson(port, "/__bench/publish", { events });
      if (outcome && outcome.failed > 0) {
        throw Object.assign(new Error(`${outcome.failed} of ${events.length} publishes failed: ${outcome.error}`), { failed: outcome.failed });
      }
    },
    gc: () => getJson(port, "/__bench/gc"),
    stop: () => stopChild(child),
  };
}

/** SSE path for a scope on the bench's Node servers. @param {import("../load/generator.mjs").Scope} scope */
export function queryPath(scope, base = "/events") {
  if (scope.role === "admin") return `${base}?role=admin`;
  if (scope.role === "specialist") return `${base}?specialist=${scope.specialist}`;
  return `${base}?workpoint=${scope.workpoint}`;
}

/** Handshake query for a scope (socket.io). @param {import("../load/generator.mjs").Scope} scope */
export function queryObject(scope) {
  if (scope.role === "admin") return { role: "admin" };
  if (scope.role === "specialist") return { specialist: String(scope.specialist) };
  return { workpoint: String(scope.workpoint) };
}
