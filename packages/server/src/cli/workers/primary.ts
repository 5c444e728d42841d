/**
 * The primary of `serve --workers N`: it forks N workers that share the port through node:cluster
 * (each a complete hub with its own Redis subscription), logs each start and exit, restarts a worker
 * that crashed (with a bounded backoff, giving up after {@link MAX_FAST_CRASHES} fast crashes in a
 * row), replaces one that drained on its own, gathers `/metrics` for the workers, and on SIGTERM or
 * SIGINT drains them all and exits once they have, within a bound. It serves no request itself.
 */
import cluster, { type Worker } from "node:cluster";
import { cliLogger } from "../log.js";
import { GATHER_WAIT_MS, type MissingWorker, type PrimaryMessage, WORKER_ENV, type WorkerMessage, type WorkerSnapshot, isOurs } from "./messages.js";

/** A worker that dies within this long of its start crashed "fast". @internal */
export const FAST_CRASH_MS = 10_000;
/** After this many fast crashes in a row of one worker, the primary gives up and exits 1. @internal */
export const MAX_FAST_CRASHES = 5;
/** The restart delay doubles from this after each fast crash… @internal */
const BACKOFF_FIRST_MS = 100;
/** …up to this. @internal */
const BACKOFF_MAX_MS = 5_000;
/** How long after a worker says it drains on its own its replacement starts. */
const REPLACE_GRACE_MS = 200;

/** What the primary needs to know about the server it runs. @internal */
export interface PrimaryOptions {
  readonly workers: number;
  /** The drain window plus the shutdown timeout plus the single process's margin. */
  readonly shutdownBoundMs: number;
  /** The start-up line, once every worker listens. */
  readonly startupLine: (url: string) => string;
}

interface Slot {
  readonly worker: number;
  process: Worker;
  startedAt: number;
  /** It said it listens: it serves, and answers for `/metrics`. */
  listening: boolean;
  /** It drained on its own and its replacement is already running. */
  replaced: boolean;
  fastCrashes: number;
}

/** Says why a worker exited, for its log line. */
const exitText = (code: number | null, signal: string | null): string => (signal ? `killed by ${signal}` : `code ${code ?? "?"}`);

/**
 * Runs the primary until the server stops.
 *
 * @returns the exit status: 0 after a shutdown, the failing worker's status when the server could
 * not start, 1 when a worker kept crashing or on a second signal
 * @internal
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const slots = new Map<Worker, Slot>();
  const byNumber = new Map<number, Slot>();
  let serving = false;
  let stopping = false;
  let allExited: (code: number) => void = () => undefined;
  const allGone = new Promise<number>((resolve) => (allExited = resolve));
  let nextGather = 0;
  /** Restarts waiting out their backoff. */
  const restarts = new Set<NodeJS.Timeout>();

  const fork = (worker: number, fastCrashes = 0): void => {
    const child = cluster.fork({ [WORKER_ENV]: String(worker) });
    const slot: Slot = { worker, process: child, startedAt: Date.now(), listening: false, replaced: false, fastCrashes };
    slots.set(child, slot);
    byNumber.set(worker, slot);
    child.on("message", (message: unknown) => {
      if (isOurs<WorkerMessage>(message)) onMessage(slot, message);
    });
    // An IPC error (the worker died mid-send) must not kill the primary; the exit handler follows.
    child.on("error", () => undefined);
  };

  const live = (): Slot[] => [...slots.values()].filter((s) => s.process.isConnected() && !s.process.isDead());
  const listeningWorkers = (): Slot[] => live().filter((s) => s.listening);

  function onMessage(slot: Slot, message: WorkerMessage): void {
    switch (message.rb) {
      case "listening":
        slot.listening = true;
        cliLogger.info(`realtime-bookings: worker ${slot.worker} started (pid ${slot.process.process.pid})`);
        onListening(slot, message.url);
        return;
      case "draining":
        if (stopping || slot.replaced) return;
        // A worker told to stop on its own: its replacement takes new streams while it drains.
        // A Ctrl-C in a terminal reaches every worker as well as the primary: wait a moment, so a
        // worker's own drain during the server's shutdown does not start a replacement.
        slot.replaced = true;
        later(REPLACE_GRACE_MS, () => fork(slot.worker));
        return;
      case "gather":
        void gather().then(({ snapshots, missing }) => send(slot, { rb: "gathered", id: message.id, snapshots, missing }));
        return;
      case "snapshot":
        gathering.get(message.id)?.(message.snapshot);
        return;
    }
  }

  const listening = new Set<number>();
  function onListening(slot: Slot, url: string): void {
    if (serving) return;
    listening.add(slot.worker);
    if (listening.size < options.workers) return;
    serving = true;
    cliLogger.info(options.startupLine(url));
  }

  const send = (slot: Slot, message: PrimaryMessage): void => {
    if (slot.process.isConnected()) slot.process.send(message);
  };

  /** The scrapes waiting for the workers' answers, by id. */
  const gathering = new Map<number, (snapshot: WorkerSnapshot) => void>();

  /** Asks every serving worker for its figures; whoever has not answered within the bound is reported. */
  function gather(): Promise<{ snapshots: WorkerSnapshot[]; missing: MissingWorker[] }> {
    const id = ++nextGather;
    const asked = listeningWorkers();
    const snapshots: WorkerSnapshot[] = [];
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        gathering.delete(id);
        const answered = new Set(snapshots.map((s) => s.pid));
        resolve({ snapshots, missing: asked.filter((s) => !answered.has(s.process.process.pid as number)).map((s) => ({ worker: s.worker, pid: s.process.process.pid })) });
      };
      const timer = setTimeout(end, GATHER_WAIT_MS);
      gathering.set(id, (snapshot) => {
        snapshots.push(snapshot);
        if (snapshots.length === asked.length) end();
      });
      for (const slot of asked) send(slot, { rb: "snapshot?", id });
      if (asked.length === 0) end();
    });
  }

  cluster.on("exit", (child, code, signal) => {
    const slot = slots.get(child);
    if (!slot) return;
    slots.delete(child);
    if (byNumber.get(slot.worker) === slot) byNumber.delete(slot.worker);
    const pid = child.process.pid;
    const how = exitText(code, signal);
    if (stopping) {
      cliLogger.info(`realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}, shutting down)`);
      if (slots.size === 0) allExited(0);
      return;
    }
    if (slot.replaced) {
      cliLogger.info(`realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}, drained; replaced)`);
      return;
    }
    if (!serving) {
      // The server never served: a port in use or a bad Redis will not mend by retrying.
      cliLogger.error(`realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}) before the server could start; stopping`);
      void stopAll("SIGTERM", code && code > 0 ? code : 1);
      return;
    }
    if (code === 0 && !signal) {
      cliLogger.info(`realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}, drained); starting its replacement`);
      fork(slot.worker);
      return;
    }
    const fast = Date.now() - slot.startedAt < FAST_CRASH_MS;
    const crashes = fast ? slot.fastCrashes + 1 : 1;
    if (crashes >= MAX_FAST_CRASHES) {
      cliLogger.error(
        `realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}); it crashed ${crashes} times in a row within ${FAST_CRASH_MS / 1000} s of starting, giving up (see its errors above)`,
      );
      void stopAll("SIGTERM", 1);
      return;
    }
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (crashes - 1));
    cliLogger.warn(`realtime-bookings: worker ${slot.worker} (pid ${pid}) exited (${how}) unexpectedly; restarting it in ${delay} ms`);
    later(delay, () => fork(slot.worker, crashes));
  });

  /** Runs `start` after `ms`, unless the server stops first. */
  function later(ms: number, start: () => void): void {
    const timer = setTimeout(() => {
      restarts.delete(timer);
      start();
    }, ms);
    restarts.add(timer);
  }

  /** Tells every worker to drain and stop; exits `code` once all have, or when the bound is past. */
  async function stopAll(signal: NodeJS.Signals, code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    for (const restart of restarts) clearTimeout(restart);
    restarts.clear();
    for (const slot of slots.values()) send(slot, { rb: "shutdown", signal });
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<"overdue">((resolve) => (timer = setTimeout(() => resolve("overdue"), options.shutdownBoundMs + 1_000)));
    const result = slots.size === 0 ? 0 : await Promise.race([allGone, overdue]);
    clearTimeout(timer);
    if (result === "overdue") {
      cliLogger.warn(`realtime-bookings: ${slots.size} worker(s) still running ${options.shutdownBoundMs + 1_000} ms after ${signal}; killing them`);
      for (const slot of slots.values()) slot.process.process.kill("SIGKILL");
    } else if (code === 0) cliLogger.info("realtime-bookings: stopped");
    resolveExit(code);
  }
  let resolveExit: (code: number) => void = () => undefined;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      cliLogger.warn(`realtime-bookings: second ${signal}, exiting now`);
      for (const slot of slots.values()) slot.process.process.kill("SIGKILL");
      process.exit(1);
    }
    cliLogger.info(`realtime-bookings: ${signal}, draining ${live().length} worker(s)`);
    void stopAll(signal, 0);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  for (let worker = 1; worker <= options.workers; worker++) fork(worker);
  return exited;
}
