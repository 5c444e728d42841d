/**
 * The primary's half of `/metrics` across workers: ask every serving worker for its figures and
 * answer with what came back within {@link GATHER_WAIT_MS}, naming the workers that stayed silent.
 */
import type { Worker } from "node:cluster";
import { GATHER_WAIT_MS, type MissingWorker, type PrimaryMessage, type WorkerSnapshot } from "./messages.js";

/** A worker as the gatherer sees it. @internal */
export interface Asked {
  readonly worker: number;
  readonly process: Worker;
}

/** Scrapes in flight, by id; each waits at most {@link GATHER_WAIT_MS}. @internal */
export class Gatherer {
  #nextId = 0;
  readonly #waiting = new Map<number, (snapshot: WorkerSnapshot) => void>();

  constructor(private readonly send: (to: Asked, message: PrimaryMessage) => void) {}

  /** A worker's answer to scrape `id` (late or unknown answers are dropped). */
  answer(id: number, snapshot: WorkerSnapshot): void {
    this.#waiting.get(id)?.(snapshot);
  }

  /** Asks `asked` for their figures; resolves when all answered or the wait is over. */
  gather(asked: readonly Asked[]): Promise<{ snapshots: WorkerSnapshot[]; missing: MissingWorker[] }> {
    const id = ++this.#nextId;
    const snapshots: WorkerSnapshot[] = [];
    return new Promise((resolve) => {
      const end = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        const answered = new Set(snapshots.map((s) => s.pid));
        const missing = asked.filter((a) => !answered.has(a.process.process.pid as number)).map((a) => ({ worker: a.worker, pid: a.process.process.pid }));
        resolve({ snapshots, missing });
      };
      const timer = setTimeout(end, GATHER_WAIT_MS);
      this.#waiting.set(id, (snapshot) => {
        snapshots.push(snapshot);
        if (snapshots.length === asked.length) end();
      });
      for (const worker of asked) this.send(worker, { rb: "snapshot?", id });
      if (asked.length === 0) end();
    });
  }
}
