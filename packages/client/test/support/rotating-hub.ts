// An msw hub whose streams carry short-lived credentials, as the real hub does with `authenticate`
// returning `expiresAt`: each stream replays what came after the client's last id, sends `ready`,
// then live events; `reauthLeadMs` before its credentials expire it sends `event: reauth`, and at
// expiry it ends the stream. Events are published on a timer; both run on (fake) timers.
import { encodeSseMessage } from "@realtime-bookings/protocol";
import { http, HttpResponse } from "msw";
import { STREAM_URL, VERSION_URL } from "./hub.js";

export interface RotatingHub {
  readonly handlers: ReturnType<typeof http.get>[];
  /** Every stream request, in order. */
  readonly streamRequests: Request[];
  /** The ids of every event published so far, in order. */
  readonly published: string[];
  /** Stops publishing and ends every stream. */
  stop(): void;
}

export interface RotatingHubOptions {
  /** How long the credentials of a stream last. */
  readonly ttlMs: number;
  /** How long before expiry the hub sends `reauth`. */
  readonly reauthLeadMs: number;
  /** Publish one event every this many ms. */
  readonly publishEveryMs: number;
  /** Delay between a stream's request and its replay + `ready` (a history read). */
  readonly replayDelayMs?: number;
}

export function createRotatingHub(options: RotatingHubOptions): RotatingHub {
  const encoder = new TextEncoder();
  const live = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const streamRequests: Request[] = [];
  const published: string[] = [];
  const frame = (id: string): Uint8Array =>
    encoder.encode(encodeSseMessage({ event: "booking", id, data: JSON.stringify({ type: "update", data: { id: 1, specialist_id: 3, workpoint_id: 1 } }) }));
  const write = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array): void => {
    try {
      controller.enqueue(bytes);
    } catch {
      live.delete(controller);
    }
  };
  let n = 0;
  const publisher = setInterval(() => {
    const id = `${1_732_800_000_000 + ++n}-0`;
    published.push(id);
    for (const controller of live) write(controller, frame(id));
  }, options.publishEveryMs);

  return {
    streamRequests,
    published,
    stop() {
      clearInterval(publisher);
      for (const controller of live) controller.close();
      live.clear();
    },
    handlers: [
      http.get(STREAM_URL, ({ request }) => {
        streamRequests.push(request);
        const url = new URL(request.url);
        const after = request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId");
        const timers: Array<ReturnType<typeof setTimeout>> = [];
        // A fresh stream's cursor is taken when it joins, as the hub's is: nothing published during its replay is missed.
        const joinedAt = published.length;
        const stream = new ReadableStream<Uint8Array>({
          start(controller) {
            const openedAt = Date.now();
            timers.push(
              setTimeout(() => {
                // Replay what was published after the client's id (as one read of the history), then ready.
                const from = after === null ? joinedAt : published.indexOf(after) + 1;
                for (const id of published.slice(from)) write(controller, frame(id));
                // A fresh stream's ready carries the resume point, as the hub's does.
                const cursor = after === null ? published[joinedAt - 1] : undefined;
                const ready = { event: "ready", ...(cursor && { id: cursor }), data: JSON.stringify({ heartbeatMs: 25_000 }) };
                write(controller, encoder.encode(encodeSseMessage(ready)));
                live.add(controller);
              }, options.replayDelayMs ?? 0),
              setTimeout(() => {
                const expiresAt = openedAt + options.ttlMs;
                write(controller, encoder.encode(encodeSseMessage({ event: "reauth", data: JSON.stringify({ expiresAt }) })));
              }, options.ttlMs - options.reauthLeadMs),
              setTimeout(() => {
                live.delete(controller);
                try {
                  controller.close();
                } catch {
                  // already cancelled by the client
                }
              }, options.ttlMs),
            );
          },
          cancel() {
            for (const timer of timers) clearTimeout(timer);
          },
        });
        request.signal.addEventListener("abort", () => timers.forEach(clearTimeout));
        return new HttpResponse(stream, { headers: { "Content-Type": "text/event-stream; charset=utf-8" } });
      }),
      http.get(VERSION_URL, () => HttpResponse.json({ version: 1 })),
    ],
  };
}
