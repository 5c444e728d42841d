// Tracks every process the bench starts and kills them all on exit, SIGINT, SIGTERM or a crash.
import { spawn } from "node:child_process";

/** @type {Set<import("node:child_process").ChildProcess>} */
const live = new Set();
let hooked = false;

function killGroup(child, signal) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // its own process group: nginx and php-fpm workers go too
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* already gone */
    }
  }
}

/** Kills every tracked child (and its process group) with SIGKILL, synchronously. */
export function killAll() {
  for (const child of live) killGroup(child, "SIGKILL");
  live.clear();
}

function hook() {
  if (hooked) return;
  hooked = true;
  process.on("exit", killAll);
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM", "SIGHUP"])) {
    process.on(signal, () => {
      console.error(`\n[bench] ${signal}: stopping every child process`);
      killAll();
      process.exit(130);
    });
  }
}

/**
 * Spawns a child in its own process group and tracks it for cleanup.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {import("node:child_process").SpawnOptions} [options]
 */
export function spawnTracked(command, args, options = {}) {
  hook();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options, detached: true });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/**
 * Registers a child started elsewhere (e.g. by `fork`) for cleanup.
 *
 * @param {import("node:child_process").ChildProcess} child
 */
export function track(child) {
  hook();
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

/**
 * Stops a child: SIGTERM to its group, then SIGKILL after `graceMs`. Resolves when it has exited.
 *
 * @param {import("node:child_process").ChildProcess} child
 * @param {number} [graceMs]
 */
export async function stopChild(child, graceMs = 3000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  killGroup(child, "SIGTERM");
  const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  live.delete(child);
}

/**
 * Resolves when the child's stdout prints a line matching `pattern`; rejects if it exits first or
 * after `timeoutMs`.
 *
 * @param {import("node:child_process").ChildProcess} child
 * @param {RegExp} pattern
 * @param {number} [timeoutMs]
 * @returns {Promise<RegExpMatchArray>}
 */
export function waitForLine(child, pattern, timeoutMs = 15_000) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const onData = (/** @type {Buffer} */ chunk) => {
      seen += chunk.toString("utf8");
      const match = seen.match(pattern);
      if (match) {
        cleanup();
        resolve(match);
      }
      if (seen.length > 65_536) seen = seen.slice(-8192);
    };
    const onExit = (/** @type {number|null} */ code) => {
      cleanup();
      reject(new Error(`process exited (${code}) before printing ${pattern}: ${seen.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}: ${seen.slice(-2000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Keeps draining a child's stdout/stderr (so it never blocks on a full pipe), keeping the last
 * few KiB for error messages.
 *
 * @param {import("node:child_process").ChildProcess} child
 * @param {string} [label] - when set, lines are echoed to stderr with this prefix
 * @returns {() => string} the retained tail
 */
export function drain(child, label) {
  let tail = "";
  const onData = (/** @type {Buffer} */ chunk) => {
    const text = chunk.toString("utf8");
    tail = (tail + text).slice(-4096);
    if (label) process.stderr.write(text.replace(/^/gm, `[${label}] `));
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  return () => tail;
}
