// (f) The seed's architecture for real: Debian's php-fpm + php-redis behind nginx, one FPM worker
// per open SSE stream, each subscribed to Redis and filtering in PHP.
import { copyFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect as tcpConnect } from "node:net";
import { drain, spawnTracked, stopChild } from "../lib/children.mjs";
import { freePort, sleep } from "../lib/net.mjs";
import { processTree, sampleTree } from "../lib/proc.mjs";
import { BACKLOG } from "../servers/common.mjs";
import { queryPath } from "./node-server.mjs";
import { startNginx } from "./nginx.mjs";

/** The memory budget for the FPM workers. */
export const PHP_WORKER_BUDGET_BYTES = 6 * 2 ** 30;

/** The php-fpm binary Debian installs (`php-fpm8.2`…), or `php-fpm`. */
export function phpFpmBinary() {
  try {
    const found = readdirSync("/usr/sbin").filter((f) => /^php-fpm[\d.]*$/.test(f)).sort();
    return found.at(-1) ?? "php-fpm";
  } catch {
    return "php-fpm";
  }
}

/**
 * Starts php-fpm (pm = static, `workers` children) and nginx in front of it.
 *
 * @param {{ workers: number, redis: import("../lib/redis.mjs").BenchRedis, tmpDir: string, heartbeatMs: number }} options
 */
async function launch({ workers, redis, tmpDir, heartbeatMs }) {
  const script = join(tmpDir, "bookings_sse.php");
  copyFileSync(fileURLToPath(new URL("../servers/php/bookings_sse.php", import.meta.url)), script);
  const socket = join(tmpDir, "fpm.sock");
  const fpmConf = join(tmpDir, "php-fpm.conf");
  writeFileSync(
    fpmConf,
    `[global]
pid = ${join(tmpDir, "php-fpm.pid")}
error_log = ${join(tmpDir, "php-fpm.log")}
log_level = warning
daemonize = no
process_control_timeout = 2s

[bookings]
user = root
group = root
listen = ${socket}
listen.mode = 0666
listen.backlog = ${BACKLOG}
pm = static
pm.max_children = ${workers}
pm.max_requests = 0
request_terminate_timeout = 0
rlimit_files = 1024
clear_env = no
php_admin_value[memory_limit] = 32M
php_admin_value[output_buffering] = 0
php_admin_value[zlib.output_compression] = 0
php_admin_value[implicit_flush] = 1
`,
  );
  const fpm = spawnTracked(phpFpmBinary(), ["-F", "-R", "-y", fpmConf, "-p", tmpDir], { env: { ...process.env } });
  drain(fpm);
  const port = await freePort();
  let nginx;
  try {
    for (let i = 0; i < 100; i++) {
      if (readdirSync(tmpDir).includes("fpm.sock")) break;
      await sleep(50);
    }
    nginx = await startNginx({
      tmpDir,
      port,
      httpBody: `
  location = /api/bookings_sse.php {
    include /etc/nginx/fastcgi_params;
    fastcgi_param SCRIPT_FILENAME ${script};
    fastcgi_param BENCH_REDIS_PORT ${redis.port};
    fastcgi_param BENCH_HEARTBEAT_S ${heartbeatMs / 1000};
    fastcgi_pass unix:${socket};
    fastcgi_buffering off;
    fastcgi_read_timeout 3600s;
    fastcgi_keep_conn off;
  }`,
    });
  } catch (error) {
    await stopChild(fpm);
    throw error;
  }
  // Wait until the static pool is forked.
  for (let i = 0; i < 600; i++) {
    if (processTree([/** @type {number} */ (fpm.pid)]).length > workers) break;
    await sleep(100);
  }
  return { fpm, nginx: /** @type {{ pid: number, stop: () => Promise<void> }} */ (nginx), port };
}

/** PSS of one busy FPM worker, measured once per run. @type {number | undefined} */
let perWorkerKiB;

/**
 * Measures the PSS of a busy worker: 32 workers, 32 open streams, (FPM tree − master) / 32.
 *
 * @param {{ redis: import("../lib/redis.mjs").BenchRedis, tmpDir: string, heartbeatMs: number }} options
 */
async function calibrate({ redis, tmpDir, heartbeatMs }) {
  const count = 32;
  const { fpm, nginx, port } = await launch({ workers: count, redis, tmpDir, heartbeatMs });
  const sockets = [];
  try {
    let ready = 0;
    for (let i = 0; i < count; i++) {
      const socket = tcpConnect({ host: "127.0.0.1", port });
      let seen = "";
      socket.setEncoding("latin1");
      socket.on("connect", () => socket.write("GET /api/bookings_sse.php?role=admin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
      socket.on("data", (d) => {
        if (!seen.includes("retry:") && (seen += d).includes("retry:")) ready++;
      });
      socket.on("error", () => {});
      sockets.push(socket);
    }
    for (let i = 0; i < 100 && ready < count; i++) await sleep(100);
    await sleep(300);
    const pid = /** @type {number} */ (fpm.pid);
    const workersOnly = sampleTree(processTree([pid]).filter((p) => p !== pid));
    return Math.max(64, workersOnly.pssKiB / Math.max(1, ready));
  } finally {
    for (const socket of sockets) socket.destroy();
    await nginx.stop();
    await stopChild(fpm, 5000);
  }
}

/** @type {import("./types.mjs").SystemDefinition} */
export const phpFpm = {
  key: "f",
  name: "php-fpm",
  label: "seed: PHP-FPM worker per stream",
  ours: false,
  binaries: [phpFpmBinary(), "nginx", "redis-server"],
  async start({ n, redis, tmpDir, heartbeatMs }) {
    // Measure a worker only when N could reach the budget even at a generous 3 MiB per worker.
    if (n * 3 * 1024 * 1024 > PHP_WORKER_BUDGET_BYTES) perWorkerKiB ??= await calibrate({ redis, tmpDir, heartbeatMs });
    const ceiling = perWorkerKiB === undefined ? n : Math.floor(PHP_WORKER_BUDGET_BYTES / 1024 / perWorkerKiB);
    const workers = Math.min(n, ceiling);
    const { fpm, nginx, port } = await launch({ workers, redis, tmpDir, heartbeatMs });
    return {
      target: { kind: "sse", ports: [port], path: (scope) => queryPath(scope, "/api/bookings_sse.php") },
      publish: async (events) => {
        const pipeline = redis.client.pipeline();
        for (const event of events) pipeline.publish("bookings:updates", JSON.stringify(event));
        await pipeline.exec();
      },
      pids: () => [/** @type {number} */ (fpm.pid), nginx.pid],
      gc: undefined,
      resume: false,
      maxConnections: workers < n ? workers : undefined,
      ceilingReason:
        workers < n
          ? `${workers} FPM workers × ${Math.round(perWorkerKiB ?? 0)} KiB PSS each (measured with 32 open streams) fill the ${PHP_WORKER_BUDGET_BYTES / 2 ** 30} GiB budget`
          : undefined,
      // The price of a connection is a whole worker: the baseline is nginx + the FPM master alone.
      baseline: () => {
        const master = sampleTree([/** @type {number} */ (fpm.pid)]);
        const workersOnly = sampleTree(processTree([/** @type {number} */ (fpm.pid)]).filter((p) => p !== fpm.pid));
        const web = sampleTree([nginx.pid]);
        return { pssKiB: master.pssKiB - workersOnly.pssKiB + web.pssKiB, rssKiB: master.rssKiB - workersOnly.rssKiB + web.rssKiB };
      },
      notes: [
        "Publishes with a bare Redis PUBLISH, as the seed's process_booking.php does; no ids, no replay.",
        `pm = static with pm.max_children = N (all forked up front), capped where the workers' PSS would pass ${PHP_WORKER_BUDGET_BYTES / 2 ** 30} GiB.`,
        "Memory per connection counts a whole FPM worker plus nginx's share (PSS); each worker also holds its own Redis connection (Redis memory is reported apart).",
      ],
      // Old workers notice a closed client only when they write: one event (outside every
      // measurement window) makes each write and exit, so the next connections find free workers.
      afterClose: async () => {
        await redis.client.publish("bookings:updates", JSON.stringify({ type: "update", data: { id: 0, seq: 0, specialist_id: 0, workpoint_id: 0, sent_at: 0 } }));
        await sleep(500);
      },
      stop: async () => {
        await nginx.stop();
        await stopChild(fpm, 5000);
      },
    };
  },
};
