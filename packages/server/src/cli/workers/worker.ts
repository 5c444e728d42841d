/**
 * A worker's side of `serve --workers N`: it runs the same hub as a single process, and talks to the
 * primary only to say it listens or drains, to be told to shut down, and for `/metrics`.
 */
import type { GatheredMetrics, MetricsSnapshot } from "../../standalone/server.js";
import { GATHER_WAIT_MS, type PrimaryMessage, WORKER_ENV, type WorkerMessage, type WorkerSnapshot, isOurs } from "./messages.js";
import { mergeWorkers } from "./metrics.js";

/** The link of a worker process to its primary. @internal */
export interface WorkerLink {
  /** This worker's number, 1…N. */
  readonly worker: number;
  /** Tells the primary the hub listens (it logs the worker as started). */
  listening(url: string): void;
  /** Tells the primary this worker drains on its own (it starts a replacement at once). */
  draining(): void;
  /** Runs `handler` when the primary asks every worker to shut down. */
  onShutdown(handler: (signal: NodeJS.Signals) => void): void;
  /** Where this worker's own figures come from, for the primary's scrapes. */
  setSnapshot(snapshot: () => MetricsSnapshot): void;
  /** `/metrics` for the whole server: every worker's figures through the primary, within a bound. */
  gatherMetrics(local: MetricsSnapshot): Promise<GatheredMetrics>;
}

/**
 * This process's link to the primary, when it is a worker of `serve --workers N` (forked with its
 * number in {@link WORKER_ENV}); `undefined` otherwise.
 * @internal
 */
export function workerLink(env: Readonly<Record<string, string | undefined>>): WorkerLink | undefined {
  const worker = Number(env[WORKER_ENV]);
  if (!process.send || !Number.isSafeInteger(worker) || worker < 1) return undefined;
  const send = (message: WorkerMessage): void => {
    // The primary may be gone (the worker then exits on the channel's disconnect): nothing to tell.
    if (process.connected) process.send?.(message);
  };
  let shutdown: (signal: NodeJS.Signals) => void = () => process.exit(0);
  let snapshot: (() => MetricsSnapshot) | undefined;
  let nextId = 0;
  const pending = new Map<number, (answer: Extract<PrimaryMessage, { rb: "gathered" }>) => void>();
  const own = (local: MetricsSnapshot): WorkerSnapshot => ({ ...local, worker, pid: process.pid });

  process.on("message", (message: unknown) => {
    if (!isOurs<PrimaryMessage>(message)) return;
    switch (message.rb) {
      case "shutdown":
        return shutdown(message.signal);
      case "snapshot?":
        if (snapshot) send({ rb: "snapshot", id: message.id, snapshot: own(snapshot()) });
        return;
      case "gathered":
        pending.get(message.id)?.(message);
        return;
    }
  });

  return {
    worker,
    listening: (url) => send({ rb: "listening", url }),
    draining: () => send({ rb: "draining" }),
    onShutdown: (handler) => void (shutdown = handler),
    setSnapshot: (provider) => void (snapshot = provider),
    async gatherMetrics(local) {
      const id = ++nextId;
      let timer: NodeJS.Timeout | undefined;
      const answer = await new Promise<Extract<PrimaryMessage, { rb: "gathered" }> | undefined>((resolve) => {
        pending.set(id, resolve);
        timer = setTimeout(() => resolve(undefined), GATHER_WAIT_MS + 1_000);
        send({ rb: "gather", id });
      });
      clearTimeout(timer);
      pending.delete(id);
      // No answer from the primary: this worker's own figures, with the primary (worker 0) reported missing.
      if (!answer) return mergeWorkers(own(local), [], [{ worker: 0, pid: process.ppid }]);
      return mergeWorkers(own(local), answer.snapshots, answer.missing);
    },
  };
}
