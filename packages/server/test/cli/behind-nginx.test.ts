import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RedisServer, freePort, hasRedisServer, openSse, requireBinary, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const available = hasRedisServer() && requireBinary("nginx", "apt-get install nginx");

/** The `location` block of docs/cli.md, verbatim but for the upstream port. */
const documentedLocation = (hubPort: number): string => `
    location /realtime/ {
        proxy_pass http://127.0.0.1:${hubPort};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_buffering off;
        proxy_read_timeout 1h;
    }`;

/** A private nginx in the foreground (own prefix, pid and logs), in front of the hub. */
async function startNginx(hubPort: number): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "rb-nginx-"));
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${join(dir, "proxy")};
  fastcgi_temp_path ${join(dir, "fastcgi")};
  uwsgi_temp_path ${join(dir, "uwsgi")};
  scgi_temp_path ${join(dir, "scgi")};
  server {
    listen 127.0.0.1:${port};${documentedLocation(hubPort)}
  }
}
`,
  );
  const child: ChildProcess = spawn("nginx", ["-p", dir, "-c", conf, "-e", join(dir, "error.log")], { stdio: "ignore" });
  for (let waited = 0; ; waited += 50) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => resolve(socket.end() !== undefined)).once("error", () => resolve(false));
    });
    if (up) break;
    if (waited > 10_000 || child.exitCode !== null) throw new Error(`nginx did not start: ${readFileSync(join(dir, "error.log"), "utf8")}`);
    await sleep(50);
  }
  return {
    url: `http://127.0.0.1:${port}/realtime`,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGQUIT");
      await Promise.race([exited, sleep(5_000)]);
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.skipIf(!available)("realtime-bookings serve behind nginx, as docs/cli.md configures it", () => {
  let redis: RedisServer;
  const stops: Array<() => Promise<void>> = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await killChildren();
  });

  it("streams live through the proxy without buffering, resumes by Last-Event-ID, and sees the stream end when the hub stops", async () => {
    const hub = await startServe(["--redis", redis.url, "--secret", SECRET, "--key-prefix", "nginx", "--path-prefix", "/realtime"]);
    const nginx = await startNginx(Number(new URL(hub.url).port));
    stops.push(() => nginx.stop());
    const headers = bearer(await viewerToken({ role: "admin" }));
    const reader = await openSse(`${nginx.url}/events`, headers);
    stops.push(async () => reader.close());
    expect([reader.status, reader.headers["content-type"]]).toEqual([200, "text/event-stream; charset=utf-8"]);

    const publish = async (id: number): Promise<string> => {
      const result = await runCli(["publish", "--redis", redis.url, "--key-prefix", "nginx", "--type", "create", "--id", String(id), "--specialist", "3", "--workpoint", "1"]);
      expect(result.stderr).toBe("");
      return result.stdout.trim();
    };
    const first = await publish(1);
    const [event] = await reader.waitForEvents(1); // one event, not held back until more bytes arrive
    expect([event?.id, JSON.parse(event?.data ?? "{}").data.id]).toEqual([first, 1]);

    const second = await publish(2);
    const resumed = await openSse(`${nginx.url}/events`, { ...headers, "Last-Event-ID": first });
    stops.push(async () => resumed.close());
    const [replayed] = await resumed.waitForEvents(1);
    expect(replayed?.id).toBe(second);

    await hub.stop("SIGTERM");
    await reader.ended;
  });
});
