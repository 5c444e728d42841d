import type { ServerResponse } from "node:http";

/**
 * The open SSE responses by session, so the demo can end a session's streams when it signs out or
 * expires (a stream must not outlive the sign-in it was opened with), and end them all for the
 * demo's "refuse SSE" hook.
 */
export class StreamTracker {
  readonly #bySession = new Map<string, Set<ServerResponse>>();

  /** Tracks a stream until its response closes. */
  add(sessionKey: string, res: ServerResponse): void {
    let set = this.#bySession.get(sessionKey);
    if (!set) this.#bySession.set(sessionKey, (set = new Set()));
    set.add(res);
    res.once("close", () => {
      set.delete(res);
      if (set.size === 0 && this.#bySession.get(sessionKey) === set) this.#bySession.delete(sessionKey);
    });
  }

  /** The sessions that have a stream open. */
  sessions(): string[] {
    return [...this.#bySession.keys()];
  }

  /** Ends the streams of one session. */
  endSession(sessionKey: string): number {
    const set = this.#bySession.get(sessionKey);
    if (!set) return 0;
    const count = set.size;
    for (const res of [...set]) res.destroy();
    return count;
  }

  /** Ends every stream. */
  endAll(): number {
    return this.sessions().reduce((n, key) => n + this.endSession(key), 0);
  }

  /** Open streams. */
  get size(): number {
    let n = 0;
    for (const set of this.#bySession.values()) n += set.size;
    return n;
  }
}
