// (i) and (j): the standalone hub as a PHP shop runs it, `realtime-bookings serve` with JWT
// authentication on Redis, as one process (i) and with `--workers 2` (j). Every connection carries its
// own viewer token (a distinct `sub`, as distinct people would); events go through POST /publish with a
// publisher token, so the hub's publish path is in the server's CPU, as it is for (b).
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import { drain, spawnTracked, stopChild, waitForLine } from "../lib/children.mjs";
import { freePort, httpRequest, sleep } from "../lib/net.mjs";
import { processTree } from "../lib/proc.mjs";

const CLI = fileURLToPath(new URL("../../packages/server/dist/cli/main.js", import.meta.url));
const PRELOAD = fileURLToPath(new URL("../servers/gc-preload.mjs", import.meta.url));
const SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/** Publishes awaiting the hub at once (as the in-process systems' IN_FLIGHT). */
const IN_FLIGHT = 8;

const base64url = (/** @type {string} */ text) => Buffer.from(text).toString("base64url");
/** An HS256 JWT, signed synchronously (the generator asks for paths synchronously). @param {Record<string, unknown>} claims */
function jwt(claims) {
  const body = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${base64url(JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 24 * 3600, ...claims }))}`;
  return `${body}.${createHmac("sha256", SECRET).update(body).digest("base64url")}`;
}

let viewers = 0;
/** The stream path of a scope, with a token of its own. @param {import("../load/generator.mjs").Scope} scope */
function tokenPath(scope) {
  const sub = `v${++viewers}`;
  const claims =
    scope.role === "admin" ? { role: "admin", sub } : scope.role === "specialist" ? { role: "specialist", specialist_id: scope.specialist, sub } : { role: "supervisor", workpoint_id: scope.workpoint, sub };
  return `/events?token=${jwt(claims)}`;
}

/**
 * @param {{ key: string, name: string, label: string, workers: number }} options
 * @returns {import("./types.mjs").SystemDefinition}
 */
function cliHub({ key, name, label, workers }) {
  return {
    key,
    name,
    label,
    ours: true,
    binaries: ["redis-server"],
    socketProcesses: workers,
    async start({ n, redis, heartbeatMs }) {
      const port = await freePort();
      const cap = String(2 * n + 1_000);
      // BENCH_SERVER_NODE_ARGS: extra Node flags, as for the bench's own Node servers (node-server.mjs).
      const extra = (process.env["BENCH_SERVER_NODE_ARGS"] ?? "").split(" ").filter(Boolean);
      const child = spawnTracked(process.execPath, ["--expose-gc", ...extra, "--import", PRELOAD, CLI, "serve", "--workers", String(workers), "--redis", redis.url, "--key-prefix", "bench",
        "--port", String(port), "--host", "127.0.0.1", "--heartbeat-ms", String(heartbeatMs), "--max-connections", cap, "--max-sockets", String(2 * n + 3_000),
        // The load generator's raw sockets carry each viewer's token in the URL: the weaker option, on.
        "--drain-ms", "0", "--shutdown-timeout-ms", "2000", "--allow-query-token"], { env: { ...process.env, REALTIME_BOOKINGS_SECRET: SECRET } });
      await waitForLine(child, /listening on http/, 30_000);
      const tail = drain(child, process.env["BENCH_VERBOSE"] ? name : undefined);
      const publisher = jwt({ publish: true, sub: "bench-publisher" });
      /** @type {Map<number, { heapUsed: number, rss: number }>} */
      const reported = new Map();
      child.stdout?.on("data", (/** @type {Buffer} */ chunk) => {
        for (const match of chunk.toString("utf8").matchAll(/^BENCHGC (.+)$/gm)) {
          const figures = JSON.parse(/** @type {string} */ (match[1]));
          reported.set(figures.pid, figures);
        }
      });
      return {
        target: { kind: "sse", ports: [port], path: tokenPath },
        async publish(events) {
          let next = 0;
          let failed = 0;
          let error = "";
          const lane = async () => {
            while (next < events.length) {
              const event = events[next++];
              const { status, body } = await httpRequest({ port, path: "/publish", method: "POST", body: JSON.stringify(event), headers: { authorization: `Bearer ${publisher}` } });
              if (status !== 200) (failed++, (error ||= `${status} ${body.slice(0, 200)}`));
            }
          };
          await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, events.length) }, lane));
          if (failed > 0) throw Object.assign(new Error(`${failed} of ${events.length} publishes failed: ${error}`), { failed });
        },
        pids: () => [/** @type {number} */ (child.pid)],
        async gc() {
          const pids = processTree([/** @type {number} */ (child.pid)]);
          reported.clear();
          for (const pid of pids) process.kill(pid, "SIGUSR2");
          for (const started = Date.now(); reported.size < pids.length && Date.now() - started < 5_000; ) await sleep(20);
          if (reported.size < pids.length) throw new Error(`${name}: ${pids.length - reported.size} process(es) did not report after GC; ${tail()}`);
          return [...reported.values()].map(({ heapUsed, rss }) => ({ heapUsed, rss }));
        },
        resume: true,
        maxConnections: undefined,
        notes: [
          workers > 1
            ? "realtime-bookings serve --workers 2: node:cluster shares the port, each worker a hub with its own Redis subscription; publishes go to either worker."
            : "realtime-bookings serve, one process.",
          "JWT (HS256) verified on every connection, each with its own token and sub; events published through POST /publish with a publisher token.",
        ],
        stop: () => stopChild(child, 5_000),
      };
    },
  };
}

/** (i) the standalone hub CLI with JWT auth on Redis */
export const oursCliJwt = cliHub({ key: "i", name: "ours-cli-jwt", label: "this hub's CLI with JWT auth, on Redis", workers: 1 });
/** (j) the same with --workers 2 */
export const oursCliWorkers = cliHub({ key: "j", name: "ours-cli-workers2", label: "this hub's CLI with JWT auth, --workers 2, on Redis", workers: 2 });
