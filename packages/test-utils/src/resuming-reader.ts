import { type SseReader, openSse, sleep } from "./sse-reader.js";

/** One thing a resuming reader saw: an event with its id, or a resync, and when (ms since epoch). */
export interface LedgerEntry {
  readonly kind: "booking" | "resync";
  readonly id: string | undefined;
  readonly data: string;
  readonly at: number;
}

/** A client that behaves as the SDK does: reconnects with jitter and resumes by `Last-Event-ID`. */
export interface ResumingReader {
  /** Everything received, in order, across reconnections. */
  readonly entries: LedgerEntry[];
  /** How many times it (re)connected successfully. */
  readonly connects: number;
  /** The URL of each successful connection, in order (for diagnostics). */
  readonly connectedTo: readonly string[];
  /** Whether it holds a live connection now. */
  readonly isLive: boolean;
  /** Drops the current connection now (it reconnects by itself). */
  cut(): void;
  /** Resolves once it holds a live connection. */
  live(ms?: number): Promise<void>;
  stop(): void;
}

/**
 * Opens an SSE stream on one of `urls` (in turn, failing over) and keeps it open: on end or error it
 * waits a jittered delay (10–60 ms; at most `maxAttempts` failures in a row) and reconnects with the
 * last id it saw, as the SDK and a native EventSource do. Event-driven: no polling timers.
 */
export function resumingReader(urls: readonly string[], options: { maxAttempts?: number } = {}): ResumingReader {
  const entries: LedgerEntry[] = [];
  let lastId: string | undefined;
  let current: SseReader | undefined;
  let stopped = false;
  let connects = 0;
  const connectedTo: string[] = [];
  let attempt = 0;
  let isLive = false;
  const maxAttempts = options.maxAttempts ?? 400;

  const loop = async () => {
    for (let failures = 0; !stopped && failures < maxAttempts; ) {
      const url = urls[attempt++ % urls.length] as string;
      try {
        const reader = await openSse(url, lastId ? { "Last-Event-ID": lastId } : {}, (e) => {
          if (e.id) lastId = e.id; // `ready` carries the resume point before any booking arrives
          if (e.event === "ready" || e.event === "heartbeat") return;
          entries.push({ kind: e.event === "resync" ? "resync" : "booking", id: e.id, data: e.data, at: Date.now() });
        });
        if (reader.status !== 200) {
          reader.close();
          throw new Error(`status ${reader.status}`);
        }
        current = reader;
        connects += 1;
        connectedTo.push(url);
        isLive = true;
        failures = 0;
        if (stopped) reader.close();
        await reader.ended;
        isLive = false;
        reader.close();
      } catch {
        isLive = false;
        failures += 1;
      }
      if (!stopped) await sleep(10 + Math.floor(Math.random() * 50));
    }
  };
  void loop();
  return {
    entries,
    get connects() {
      return connects;
    },
    connectedTo,
    get isLive() {
      return isLive;
    },
    cut: () => current?.close(),
    async live(ms = 10_000) {
      for (const t0 = Date.now(); !isLive; await sleep(10)) if (Date.now() - t0 > ms) throw new Error("reader never went live");
    },
    stop() {
      stopped = true;
      current?.close();
    },
  };
}
