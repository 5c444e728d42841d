import { type EventSourceMessage, createParser } from "eventsource-parser";
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";

/** An SSE stream read over a real HTTP connection, parsed as a browser would. */
export interface SseReader {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Every event received so far, except `ready` and `heartbeat` (comments excluded). */
  readonly events: EventSourceMessage[];
  /** The `ready` events received (one per stream, carrying the resume point on a fresh connection). */
  readonly ready: EventSourceMessage[];
  /** The `heartbeat` events received. */
  readonly heartbeats: EventSourceMessage[];
  /** Every comment line received so far. */
  readonly comments: string[];
  /** The `retry:` value received, if any. */
  readonly retry: number | undefined;
  /** The raw bytes received, as text. */
  readonly raw: () => string;
  /** Resolves when `count` events have arrived; rejects after `ms`, naming what did arrive. */
  waitForEvents(count: number, ms?: number): Promise<EventSourceMessage[]>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Pauses reading from the socket (a slow reader). */
  pause(): void;
  resume(): void;
  close(): void;
}

/**
 * Opens `url` as an SSE stream with plain `node:http` and parses it with eventsource-parser.
 * Resolves once the response headers arrive (whatever the status).
 */
export function openSse(
  url: string,
  headers: Record<string, string> = {},
  onEvent?: (event: EventSourceMessage) => void,
): Promise<SseReader> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { Accept: "text/event-stream", ...headers } }, (res) => {
      const events: EventSourceMessage[] = [];
      const ready: EventSourceMessage[] = [];
      const heartbeats: EventSourceMessage[] = [];
      const comments: string[] = [];
      let retry: number | undefined;
      let raw = "";
      const waiters = new Set<() => void>();
      const parser = createParser({
        onEvent: (event) => {
          onEvent?.(event);
          if (event.event === "ready") return void ready.push(event);
          if (event.event === "heartbeat") return void heartbeats.push(event);
          events.push(event);
          for (const w of waiters) w();
        },
        onComment: (comment) => comments.push(comment),
        onRetry: (ms) => (retry = ms),
      });
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        raw += chunk;
        parser.feed(chunk);
      });
      const ended = new Promise<void>((done) => {
        res.once("end", done);
        res.once("close", done);
        // A reset (the server dropped this reader) may emit several errors: every one is an end.
        res.on("error", () => done());
      });
      ended.then(() => {
        for (const w of waiters) w();
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        ready,
        heartbeats,
        comments,
        get retry() {
          return retry;
        },
        raw: () => raw,
        ended,
        waitForEvents(count, ms = 5_000) {
          if (events.length >= count) return Promise.resolve(events.slice(0, count));
          return new Promise((ok, fail) => {
            const check = () => {
              if (events.length >= count) {
                clearTimeout(timer);
                waiters.delete(check);
                ok(events.slice(0, count));
              }
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`expected ${count} events within ${ms} ms, got ${events.length}: ${JSON.stringify(events)}`));
            }, ms);
            waiters.add(check);
          });
        },
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      });
    });
    req.on("error", reject); // after the response, a late socket error must not go unhandled
    req.end();
  });
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
