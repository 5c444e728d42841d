import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, sleep } from "@realtime-bookings/test-utils";

/** docs/deployment.md: the proxy configurations the tests run are read from it, so they cannot drift. */
const DEPLOYMENT_DOC = fileURLToPath(new URL("../../../docs/deployment.md", import.meta.url));

/** The documented hub addresses in the configuration blocks, replaced by the test's hubs in order. */
const DOCUMENTED_HUBS = ["127.0.0.1:8080", "127.0.0.1:8081"];

/**
 * The fenced block of docs/deployment.md whose text contains `marker`, with the documented hub
 * addresses replaced by `hubPorts` (in order). Throws when the page no longer holds such a block.
 */
export function documentedConfig(marker: string, hubPorts: readonly number[]): string {
  const blocks = [...readFileSync(DEPLOYMENT_DOC, "utf8").matchAll(/^```[a-z]*\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? "");
  const block = blocks.find((b) => b.includes(marker));
  if (!block) throw new Error(`docs/deployment.md has no code block containing "${marker}"`);
  return DOCUMENTED_HUBS.reduce((text, hub, i) => text.replaceAll(hub, `127.0.0.1:${hubPorts[i]}`), block);
}

/** A proxy running in the foreground in its own temporary directory. */
export interface Proxy {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** What it logged (nginx's error log, HAProxy's stderr). */
  log(): string;
  stop(): Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket.end() !== undefined)).once("error", () => resolve(false));
  });
}

/** Spawns `command`, waits (at most 10 s) until `port` accepts connections, and wraps it. */
async function launch(command: string, args: string[], dir: string, port: number, log: () => string): Promise<Proxy> {
  const child: ChildProcess = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const logged = () => `${stderr}${log()}`;
  for (const started = Date.now(); !(await listening(port)); await sleep(50)) {
    if (Date.now() - started > 10_000 || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`${command} did not start: ${logged()}`);
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    log: logged,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      if (child.exitCode === null) child.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A private nginx (Debian's, found on PATH; own prefix, pid and logs, in the foreground) serving the
 * documented `upstream` + `location` block for `hubPorts`, with room for `connections` proxied streams.
 */
export async function startNginx(hubPorts: readonly number[], connections: number): Promise<Proxy> {
  const documented = documentedConfig("upstream realtime_hubs", hubPorts);
  const at = documented.search(/^location /m);
  const [httpLevel, serverLevel] = [documented.slice(0, at), documented.slice(at)];
  const dir = mkdtempSync(join(tmpdir(), "rb-deploy-nginx-"));
  const port = await freePort();
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((name) => `  ${name}_temp_path ${join(dir, name)};`).join("\n");
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections ${2 * connections + 512}; }
http {
  access_log off;
${temp}
${httpLevel}
  server {
    listen 127.0.0.1:${port};
${serverLevel}
  }
}
`,
  );
  const errorLog = () => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  return launch("nginx", ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], dir, port, errorLog);
}

/**
 * A private HAProxy (Debian's, found on PATH; in the foreground with `-db`) running the documented
 * `defaults` + `backend hub` block for `hubPorts`, behind a plain-HTTP frontend on a free port.
 */
export async function startHaproxy(hubPorts: readonly number[], connections: number): Promise<Proxy> {
  const documented = documentedConfig("option httpchk", hubPorts);
  const dir = mkdtempSync(join(tmpdir(), "rb-deploy-haproxy-"));
  const port = await freePort();
  const conf = join(dir, "haproxy.cfg");
  writeFileSync(
    conf,
    `global
    maxconn ${2 * connections + 512}

${documented}
frontend www
    bind 127.0.0.1:${port}
    default_backend hub
`,
  );
  return launch("haproxy", ["-db", "-f", conf], dir, port, () => "");
}
