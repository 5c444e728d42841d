// Runs a private nginx (own config, ports, pid and logs in a temp dir; never the system service).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { drain, spawnTracked, stopChild } from "../lib/children.mjs";
import { waitForPort } from "../lib/net.mjs";
import { BACKLOG } from "../servers/common.mjs";

/** nginx's per-process descriptor limit: the machine's hard limit, minus room for logs and listeners. */
export function nginxFdLimit() {
  const hard = Number(process.env["BENCH_FD_LIMIT"] ?? 20_000);
  return Math.max(1024, hard - 200);
}

/**
 * Writes nginx.conf around `httpBody` and starts `nginx -g 'daemon off;'` as a tracked child.
 *
 * @param {{ tmpDir: string, port: number, httpBody: string, modules?: string[] }} options
 */
export async function startNginx({ tmpDir, port, httpBody, modules = [] }) {
  const fds = nginxFdLimit();
  const conf = `
${modules.map((m) => `load_module ${m};`).join("\n")}
user root;
worker_processes 2;
worker_rlimit_nofile ${fds};
pid ${join(tmpDir, "nginx.pid")};
error_log ${join(tmpDir, "nginx-error.log")} warn;
events { worker_connections ${fds - 100}; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${join(tmpDir, "client_body")};
  proxy_temp_path ${join(tmpDir, "proxy")};
  fastcgi_temp_path ${join(tmpDir, "fastcgi")};
  uwsgi_temp_path ${join(tmpDir, "uwsgi")};
  scgi_temp_path ${join(tmpDir, "scgi")};
  keepalive_timeout 65s;
  server {
    listen 127.0.0.1:${port} backlog=${BACKLOG} reuseport;
${httpBody}
  }
}
`;
  const path = join(tmpDir, "nginx.conf");
  writeFileSync(path, conf);
  const child = spawnTracked("nginx", ["-c", path, "-p", tmpDir, "-g", "daemon off; master_process on;"]);
  const tail = drain(child);
  try {
    await waitForPort(port, 15_000);
  } catch (error) {
    await stopChild(child);
    throw new Error(`nginx did not start: ${tail()} ${error}`);
  }
  return { pid: /** @type {number} */ (child.pid), stop: () => stopChild(child, 5000) };
}
