/**
 * The primary of `serve --workers N`: it forks N workers that share the port through node:cluster
 * (each a complete hub with its own Redis subscription), logs each start and exit, restarts or
 * replaces workers ({@link decideExit}), gathers `/metrics` for them, and on SIGTERM or SIGINT drains
 * them all and exits once they have, within a bound. It serves no request itself.
 */
import cluster, { type Worker } from "node:cluster";
import { cliLogger } from "../log.js";
import { Gatherer } from "./gather.js";
import { type PrimaryMessage, WORKER_ENV, type WorkerMessage, isOurs } from "./messages.js";
import { FAST_CRASH_MS, decideExit } from "./restarts.js";

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
  readonly process: Worker;
  readonly startedAt: number;
  /** It said it listens: it serves, and answers for `/metrics`. */
  listening: boolean;
  /** It drained on its own and its replacement is already running. */
  replaced: boolean;
  readonly fastCrashes: number;
}

/** Says why a worker exited, for its log line. */
const exitText = (code: number | null, signal: string | null): string => (signal ? `killed by ${signal}` : `code ${code ?? "?"}`);

class Primary {
  readonly #slots = new Map<Worker, Slot>();
  /** Workers that have listened since the start; the start-up line waits for all. */
  readonly #listened = new Set<number>();
  /** Restarts waiting out their backoff. */
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #gatherer = new Gatherer((to, message) => this.#send(to as Slot, message));
  #serving = false;
  #stopping = false;
  #signals = 0;
  #allExited: () => void = () => undefined;
  readonly #allGone = new Promise<void>((resolve) => (this.#allExited = resolve));
  #exit: (code: number) => void = () => undefined;
  /** The exit status, once the server stopped. */
  readonly exited = new Promise<number>((resolve) => (this.#exit = resolve));

  constructor(private readonly options: PrimaryOptions) {
    cluster.on("exit", (child, code, signal) => this.#onExit(child, code, signal));
    const onSignal = (signal: NodeJS.Signals): void => this.#onSignal(signal);
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    for (let worker = 1; worker <= options.workers; worker++) this.#fork(worker);
  }

  #fork(worker: number, fastCrashes = 0): void {
    const child = cluster.fork({ [WORKER_ENV]: String(worker) });
    const slot: Slot = { worker, process: child, startedAt: Date.now(), listening: false, replaced: false, fastCrashes };
    this.#slots.set(child, slot);
    child.on("message", (message: unknown) => {
      if (isOurs<WorkerMessage>(message)) this.#onMessage(slot, message);
    });
    // An IPC error (the worker died mid-send) must not kill the primary; the exit handler follows.
    child.on("error", () => undefined);
  }

  #live(): Slot[] {
    return [...this.#slots.values()].filter((s) => s.process.isConnected() && !s.process.isDead());
  }

  #send(slot: Slot, message: PrimaryMessage): void {
    if (slot.process.isConnected()) slot.process.send(message);
  }

  /** Runs `start` after `ms`, unless the server stops first. */
  #later(ms: number, start: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      start();
    }, ms);
    this.#timers.add(timer);
  }

  #onMessage(slot: Slot, message: WorkerMessage): void {
    switch (message.rb) {
      case "listening":
        slot.listening = true;
        cliLogger.info(`realtime-bookings: worker ${slot.worker} started (pid ${slot.process.process.pid})`);
        if (this.#serving) return;
        this.#listened.add(slot.worker);
        if (this.#listened.size < this.options.workers) return;
        this.#serving = true;
        cliLogger.info(this.options.startupLine(message.url));
        return;
      case "draining":
        if (this.#stopping || slot.replaced) return;
        // A worker told to stop on its own: its replacement takes new streams while it drains. A
        // terminal's Ctrl-C reaches every worker as well as the primary: the short grace keeps a
        // worker's drain during the server's shutdown from starting a replacement.
        slot.replaced = true;
        this.#later(REPLACE_GRACE_MS, () => this.#fork(slot.worker));
        return;
      case "gather": {
        const serving = this.#live().filter((s) => s.listening);
        void this.#gatherer.gather(serving).then(({ snapshots, missing }) => this.#send(slot, { rb: "gathered", id: message.id, snapshots, missing }));
        return;
      }
      case "snapshot":
        this.#gatherer.answer(message.id, message.snapshot);
        return;
    }
  }

  #onExit(child: Worker, code: number | null, signal: string | null): void {
    const slot = this.#slots.get(child);
    if (!slot) return;
    this.#slots.delete(child);
    const line = `realtime-bookings: worker ${slot.worker} (pid ${child.process.pid}) exited (${exitText(code, signal)}`;
    const decision = decideExit({ code, signal, stopping: this.#stopping, replaced: slot.replaced, serving: this.#serving, livedMs: Date.now() - slot.startedAt, fastCrashes: slot.fastCrashes });
    switch (decision.kind) {
      case "shutting-down":
        cliLogger.info(`${line}, shutting down)`);
        if (this.#slots.size === 0) this.#allExited();
        return;
      case "replaced":
        cliLogger.info(`${line}, drained; replaced)`);
        return;
      case "stop":
        cliLogger.error(`${line}) before the server could start; stopping`);
        void this.#stopAll("SIGTERM", decision.code);
        return;
      case "replace":
        cliLogger.info(`${line}, drained); starting its replacement`);
        this.#fork(slot.worker);
        return;
      case "give-up":
        cliLogger.error(`${line}); it crashed ${decision.crashes} times in a row within ${FAST_CRASH_MS / 1000} s of starting, giving up (see its errors above)`);
        void this.#stopAll("SIGTERM", 1);
        return;
      case "restart":
        cliLogger.warn(`${line}) unexpectedly; restarting it in ${decision.delayMs} ms`);
        this.#later(decision.delayMs, () => this.#fork(slot.worker, decision.crashes));
        return;
    }
  }

  #onSignal(signal: NodeJS.Signals): void {
    if (++this.#signals > 1) {
      cliLogger.warn(`realtime-bookings: second ${signal}, exiting now`);
      for (const slot of this.#slots.values()) slot.process.process.kill("SIGKILL");
      process.exit(1);
    }
    cliLogger.info(`realtime-bookings: ${signal}, draining ${this.#live().length} worker(s)`);
    void this.#stopAll(signal, 0);
  }

  /** Tells every worker to drain and stop; exits with `code` once all have, or when the bound is past. */
  async #stopAll(signal: NodeJS.Signals, code: number): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const slot of this.#slots.values()) this.#send(slot, { rb: "shutdown", signal });
    const boundMs = this.options.shutdownBoundMs + 1_000;
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<"overdue">((resolve) => (timer = setTimeout(() => resolve("overdue"), boundMs)));
    const result = this.#slots.size === 0 ? "done" : await Promise.race([this.#allGone, overdue]);
    clearTimeout(timer);
    if (result === "overdue") {
      cliLogger.warn(`realtime-bookings: ${this.#slots.size} worker(s) still running ${boundMs} ms after ${signal}; killing them`);
      for (const slot of this.#slots.values()) slot.process.process.kill("SIGKILL");
    } else if (code === 0) cliLogger.info("realtime-bookings: stopped");
    this.#exit(code);
  }
}

/**
 * Runs the primary until the server stops.
 *
 * @returns the exit status: 0 after a shutdown, the failing worker's status when the server could
 * not start, 1 when a worker kept crashing or on a second signal
 * @internal
 */
export const runPrimary = (options: PrimaryOptions): Promise<number> => new Primary(options).exited;
