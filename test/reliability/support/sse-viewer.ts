import { sleep } from "@realtime-bookings/test-utils";
import { createParser } from "eventsource-parser";
import { type ClientRequest, request } from "node:http";

/** One attempt to open the stream: when it was sent, and what answered (0 for a network error, -1 while pending). */
export interface Attempt {
  readonly at: number;
  status: number;
}

/**
 * A raw-HTTP SSE viewer that behaves as the SDK and a native EventSource do across a deploy: it sends
 * its credentials in a header, resumes by `Last-Event-ID` (the `ready` event's id counts), waits the
 * server's `retry:` after a stream ends, and after a refusal waits the `Retry-After` plus up to a
 * second of jitter (as the SDK's fetch transport). It keeps only what a ledger needs (the `seq` of
 * each booking and each `resync`, in arrival order), so thousands of viewers fit in one test.
 */
export interface SseViewer {
  /** The `seq` of every booking received, and `"resync"` for each resync, in order, across reconnections. */
  readonly seqs: Array<number | "resync">;
  /** For each `resync`: when, its data, and the id the stream resumed from (diagnostics). */
  readonly resyncNotes: string[];
  /** Every attempt to open the stream, in order. */
  readonly attempts: readonly Attempt[];
  /** The time of every successful (200) open, in order. */
  readonly connects: readonly number[];
  /** Whether it holds a live stream now. */
  readonly isLive: boolean;
  stop(): void;
}

/** Options of {@link startViewer}. */
export interface ViewerOptions {
  /** Request headers (credentials). */
  readonly headers: Record<string, string>;
  /** The wait before the first `retry:` arrives, in ms. @defaultValue 1000 */
  readonly retryMs?: number;
  /** Failed attempts in a row before it gives up. @defaultValue 100 */
  readonly maxFailures?: number;
}

/** Opens one stream and resolves when it ends, feeding `on` with what arrives; resolves the status. */
function openOnce(url: string, headers: Record<string, string>, track: (req: ClientRequest) => void, on: { event(name: string | undefined, id: string | undefined, data: string): void; retry(ms: number): void; open(): void }): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve) => {
    const req = request(url, { headers: { Accept: "text/event-stream", ...headers }, agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = res.headers["retry-after"];
      const done = () => resolve({ status, retryAfter });
      res.once("close", done);
      res.once("error", done);
      if (status !== 200) return void res.resume();
      on.open();
      const parser = createParser({ onEvent: (e) => on.event(e.event, e.id, e.data), onRetry: (ms) => on.retry(ms) });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => parser.feed(chunk));
    });
    track(req);
    req.once("error", () => resolve({ status: 0, retryAfter: undefined }));
    req.end();
  });
}

/** Starts a viewer on `url` (see {@link SseViewer}); it runs until {@link SseViewer.stop}. */
export function startViewer(url: string, options: ViewerOptions): SseViewer {
  const seqs: Array<number | "resync"> = [];
  const attempts: Attempt[] = [];
  const resyncNotes: string[] = [];
  let resumedFrom: string | undefined;
  const connects: number[] = [];
  let lastId: string | undefined;
  let retryMs = options.retryMs ?? 1_000;
  let current: ClientRequest | undefined;
  let stopped = false;
  let isLive = false;
  const handlers = {
    open: () => {
      isLive = true;
      connects.push(Date.now());
    },
    retry: (ms: number) => (retryMs = ms),
    event: (name: string | undefined, id: string | undefined, data: string) => {
      if (id) lastId = id;
      // The test's events carry `seq` once; a match is much cheaper than JSON.parse for 2,000 viewers.
      if (name === "booking") seqs.push(Number(/"seq":(\d+)/.exec(data)?.[1] ?? Number.NaN));
      else if (name === "resync") {
        seqs.push("resync");
        resyncNotes.push(`${Date.now()} ${data} resumed from ${resumedFrom} on attempt ${attempts.length}`);
      }
    },
  };
  const loop = async () => {
    for (let failures = 0; !stopped && failures < (options.maxFailures ?? 100); ) {
      const attempt: Attempt = { at: Date.now(), status: -1 };
      attempts.push(attempt);
      resumedFrom = lastId;
      const headers = lastId ? { ...options.headers, "Last-Event-ID": lastId } : options.headers;
      const { status, retryAfter } = await openOnce(url, headers, (req) => (current = req), handlers);
      isLive = false;
      attempt.status = status;
      failures = status === 200 ? 0 : failures + 1;
      if (stopped) break;
      // A refusal with Retry-After: that long plus up to a second (the SDK's rule); else the server's retry.
      const wait = status !== 200 && Number(retryAfter) > 0 ? Number(retryAfter) * 1000 + Math.random() * 1000 : retryMs;
      await sleep(wait);
    }
  };
  void loop();
  return {
    seqs,
    resyncNotes,
    attempts,
    connects,
    get isLive() {
      return isLive;
    },
    stop() {
      stopped = true;
      current?.destroy();
    },
  };
}
