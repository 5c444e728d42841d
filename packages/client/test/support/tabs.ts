// Fakes of Web Locks and BroadcastChannel shared by the "tabs" of one fake browser: enough of both
// specs for election, stealing and relaying, driven by (fake) timers like the rest of the suite.
import type { BroadcastChannelLike, LockManagerLike } from "../../src/index.js";

interface Request {
  grant: () => void;
  abort: () => void;
}

/** One browser's lock manager (one lock name is enough for these tests, but names are honoured). */
export function fakeLocks(): LockManagerLike & { holder(name: string): number | undefined } {
  const held = new Map<string, { id: number; stolen: () => void }>();
  const queues = new Map<string, Request[]>();
  let ids = 0;
  const next = (name: string): void => {
    if (held.has(name)) return;
    queues.get(name)?.shift()?.grant();
  };
  return {
    holder: (name) => held.get(name)?.id,
    request(name, options, callback) {
      const id = ++ids;
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          let done = false;
          const finish = (): void => {
            if (done) return;
            done = true;
            if (held.get(name)?.id === id) held.delete(name);
            next(name);
          };
          held.set(name, { id, stolen: () => ((done = true), reject(new DOMException("stolen", "AbortError"))) });
          Promise.resolve(callback()).then(
            (value) => (finish(), resolve(value)),
            (error) => (finish(), reject(error)),
          );
        };
        if (options.steal) {
          held.get(name)?.stolen();
          held.delete(name);
          return grant();
        }
        const queue = queues.get(name) ?? [];
        queues.set(name, queue);
        const entry: Request = {
          grant,
          abort: () => {
            queue.splice(queue.indexOf(entry), 1);
            reject(new DOMException("aborted", "AbortError"));
          },
        };
        options.signal?.addEventListener("abort", () => queue.includes(entry) && entry.abort());
        queue.push(entry);
        next(name);
      });
    },
  };
}

/** One browser's BroadcastChannel: messages reach every other open instance of the name, in a later task. */
export function fakeChannels() {
  const open = new Set<FakeChannel>();
  class FakeChannel implements BroadcastChannelLike {
    onmessage: ((event: { data: unknown }) => void) | null = null;
    /** A frozen tab sends nothing (its timers and tasks do not run). */
    muted = false;
    constructor(readonly name: string) {
      open.add(this);
    }
    postMessage(message: unknown): void {
      if (this.muted) return;
      const data = structuredClone(message);
      for (const other of open) {
        if (other !== this && other.name === this.name) setTimeout(() => open.has(other) && !other.muted && other.onmessage?.({ data }), 0);
      }
    }
    close(): void {
      open.delete(this);
    }
  }
  return { BroadcastChannel: FakeChannel, open };
}
