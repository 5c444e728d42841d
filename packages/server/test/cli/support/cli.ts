import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SignJWT } from "jose";

/** The built CLI, run exactly as the `realtime-bookings` bin runs it. */
export const CLI = fileURLToPath(new URL("../../../dist/cli/main.js", import.meta.url));

/** A secret of the right size for HS256. */
export const SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/** Fails with the command that fixes it when the CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} does not exist: build the server first (cd packages/server && npx tsup); the root "npm test" does it in pretest`);
  }
}

const children = new Set<ChildProcess>();

/** The environment of a child: the parent's, minus what would change the CLI's defaults. */
function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ["REDIS_URL", "REALTIME_BOOKINGS_SECRET", "REALTIME_BOOKINGS_PUBLIC_KEY", "REALTIME_BOOKINGS_METRICS_TOKEN", "REALTIME_BOOKINGS_LARAVEL_CHANNELS", "PORT"]) delete base[name];
  return { ...base, ...env };
}

/** What a finished CLI run printed and how it exited. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to completion, killing it (and failing) after `timeoutMs`. */
export function runCli(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> {
  requireBuiltCli();
  const child = spawn(process.execPath, [CLI, ...args], { env: childEnv(options.env), stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`realtime-bookings ${args.join(" ")} did not exit within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A running `realtime-bookings serve`. */
export interface ServeProcess {
  /** The base URL of the endpoints, with the path prefix: `http://127.0.0.1:<port>/prefix`. */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal and waits (bounded) for the exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `realtime-bookings serve --port 0 --host 127.0.0.1 …args` and waits (bounded) for its
 * start-up line, which names the URL it listens on.
 */
export async function startServe(args: readonly string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServeProcess> {
  requireBuiltCli();
  // No drain unless a test asks for one: SIGTERM then ends every stream at once, as the shutdown tests expect.
  const drain = args.includes("--drain-ms") ? [] : ["--drain-ms", "0"];
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", ...drain, ...args], {
    env: childEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const timeoutMs = options.timeoutMs ?? 10_000;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`serve did not start within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    const check = (): void => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening; stdout: ${stdout}; stderr: ${stderr}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async stop(signal = "SIGTERM", ms = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const result = await Promise.race([
        exited,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`serve did not exit within ${ms} ms of ${signal}`)), ms);
        }),
      ]);
      clearTimeout(timer);
      return result;
    },
  };
}

/** Kills every CLI process a test started and left running (call in afterEach). */
export async function killChildren(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("close", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  children.clear();
}

/** Signs a viewer token as an app would (HS256 with {@link SECRET} unless told otherwise). */
export async function viewerToken(claims: Record<string, unknown>, options: { secret?: string; ttlSec?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ exp: now + (options.ttlSec ?? 300), ...claims })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** `Authorization: Bearer <token>` headers. */
export const bearer = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** Polls `check` until it holds, failing after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms = 5_000, what = "condition"): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
