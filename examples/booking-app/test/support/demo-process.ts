import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "@realtime-bookings/test-utils";
import { appRoot } from "../../src/paths.js";

/** The built demo (`node dist/main.js`) running as a child process, as `npm start` runs it. */
export interface DemoProcess {
  readonly url: string;
  readonly port: number;
  /** What it printed. */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port and database. */
  start(): Promise<void>;
}

const ROOT = appRoot();
const MAIN = join(ROOT, "dist", "main.js");

/** Fails with the fix when the demo has not been built (the tests run the built files, like `npm start`). */
export function assertBuilt(): void {
  if (!existsSync(MAIN) || !existsSync(join(ROOT, "dist", "public", "app.js"))) {
    throw new Error(`${MAIN} is missing: build first (\`npm run build\` at the repository root, or \`npx tsup\` in examples/booking-app)`);
  }
}

/** Runs a built command of the demo (`dist/cli/book.js`…) and returns its exit code and output. */
export async function runBuilt(script: string, args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, "dist", script), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code] = (await once(child, "close")) as [number | null]; // "close": all of its output is read
  clearTimeout(timer);
  return { code: code ?? -1, stdout, stderr };
}

/**
 * Starts the built demo on a free port with the given environment (`DATABASE_PATH` at least), and
 * waits for its "listening" line (15 s at most).
 */
export async function startDemo(env: Record<string, string>): Promise<DemoProcess> {
  assertBuilt();
  const port = await freePort();
  let child: ChildProcess | undefined;
  let out = "";
  const launch = async (): Promise<void> => {
    const proc = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the demo did not start within 15 s:\n${out}`)), 15_000);
      const onData = (chunk: string): void => {
        out += chunk;
        if (out.includes(`listening on http://localhost:${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      proc.stdout?.setEncoding("utf8").on("data", onData);
      proc.stderr?.setEncoding("utf8").on("data", (c: string) => (out += c));
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the demo exited with ${code}:\n${out}`));
      });
    });
  };
  await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => out,
    async stop() {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, "exit");
      proc.kill("SIGTERM");
      const force = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(force);
    },
    start: launch,
  };
}
