import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

/** Every Redis-family process the test utilities started, killed when the test process exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

/** One redis-server or redis-sentinel process started by {@link spawnRedisProcess}. */
export interface RedisProcess {
  readonly port: number;
  /** Whether the process is running. */
  readonly alive: boolean;
  /** Sends `signal` (SIGKILL by default) and resolves once the process has exited (at most 10 s). */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `binary args…` and resolves once its log prints `readyText` (within 10 s), or rejects with
 * the log. The process is killed when the test process exits, even if the test forgot to.
 *
 * @param binary - `redis-server` or `redis-sentinel`
 * @param args - the command line (a config file first, then `--option value` pairs)
 * @param port - the port it listens on, for the error message and {@link RedisProcess.port}
 * @param readyText - the log line that says it is ready
 */
export async function spawnRedisProcess(binary: string, args: readonly string[], port: number, readyText: RegExp): Promise<RedisProcess> {
  installExitHook();
  const child = spawn(binary, [...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${binary} did not start on ${port} within 10 s: ${output}`));
    }, 10_000);
    const onData = (chunk: string) => {
      output += chunk;
      if (readyText.test(output)) {
        clearTimeout(timer);
        child.stdout?.removeListener("data", onData);
        child.stdout?.resume();
        child.removeListener("exit", onExit);
        resolve();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code} on port ${port}: ${output}`));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: string) => (output += chunk));
    child.once("exit", onExit);
  });
  return {
    port,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Runs `redis-cli -p <port> …args` (at most 15 s) and returns its stdout, trimmed of the last newline.
 *
 * @param port - the server or sentinel port on 127.0.0.1
 * @param args - the command and its arguments
 */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const cli = spawn("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  cli.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  cli.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const timer = setTimeout(() => cli.kill("SIGKILL"), 15_000);
  await once(cli, "close"); // not "exit": stdout may still hold the reply then
  clearTimeout(timer);
  return out.replace(/\n$/, "");
}

/**
 * Polls `check` every 50 ms until it returns true, at most `ms`; throws `what` on timeout.
 *
 * @param what - what was awaited, for the error
 * @param check - the condition; a rejection counts as false
 */
export async function waitUntil(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
