import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./ports.js";
import { requireBinary } from "./binaries.js";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A redis-server process owned by one test file: its own port, stoppable and restartable. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops the process (SIGKILL unless `graceful`); nothing is kept unless started `persistent`. */
  stop(options?: { graceful?: boolean }): Promise<void>;
  /** Starts it again on the same port (empty unless `persistent`). */
  start(): Promise<void>;
  /** Runs `redis-cli -p <port> …args` and returns its stdout. */
  cli(...args: string[]): Promise<string>;
}

/** Whether redis-server is available (fails the run in CI when it is not). */
export const hasRedisServer = (): boolean => requireBinary("redis-server", "apt-get install redis-server");

/** Options of {@link startRedisServer}. */
export interface RedisServerOptions {
  /**
   * Keep data across `stop()`/`start()` with an append-only file fsynced on every write, as a
   * production Redis with persistence would. Default: nothing is kept, like the machine's Redis.
   */
  readonly persistent?: boolean;
}

async function launch(port: number, dir: string | undefined): Promise<ChildProcess> {
  const persistence = dir ? ["--appendonly", "yes", "--appendfsync", "always", "--dir", dir] : ["--appendonly", "no"];
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence, "--protected-mode", "no"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.setEncoding("utf8");
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${port}: ${output}`)), 10_000);
    child.stdout?.on("data", (chunk: string) => {
      output += chunk;
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve(child);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} on port ${port}: ${output}`));
    });
  });
}

/**
 * Starts a fresh redis-server on a free port. Retries a few ports if another process takes the
 * one offered. Call `stop()` in `afterAll`.
 */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = options.persistent ? mkdtempSync(join(tmpdir(), "rb-redis-")) : undefined;
  let child: ChildProcess | undefined;
  let port = 0;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    child = await launch(port, dir).catch(() => undefined);
  }
  if (!child) throw new Error("could not start redis-server on a free port after 5 attempts");
  const url = `redis://127.0.0.1:${port}`;
  const server: RedisServer = {
    url,
    port,
    async stop({ graceful = false } = {}) {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      const exited = once(current, "exit");
      current.kill(graceful ? "SIGTERM" : "SIGKILL");
      await exited;
    },
    async start() {
      child = await launch(port, dir);
    },
    async cli(...args) {
      const cli = spawn("redis-cli", ["-p", String(port), ...args], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      cli.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
      await once(cli, "close"); // not "exit": stdout may still hold the reply then
      return out;
    },
  };
  return server;
}
