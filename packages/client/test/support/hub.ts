// An msw stand-in for the hub: the SSE stream and the version endpoint, scriptable per connection.
import { type SseMessage, encodeSseMessage } from "@realtime-bookings/protocol";
import { http, HttpResponse } from "msw";

export const BASE = "http://hub.test";
export const STREAM_URL = `${BASE}/events`;
export const VERSION_URL = `${BASE}/version`;

/** One accepted stream connection, as the server sees it. */
export interface Connection {
  readonly url: URL;
  readonly headers: Headers;
  /** Sends an SSE frame (an object is encoded with the protocol's encoder), or raw bytes. */
  send(frame: string | SseMessage | Uint8Array): void;
  /** Ends the stream gracefully, as the hub does on shutdown. */
  end(): void;
  /** True once the client cancelled (closed) the stream. */
  readonly cancelled: boolean;
}

type Planned = () => Response;

export interface Hub {
  readonly connections: Connection[];
  readonly streamRequests: Request[];
  readonly versionRequests: Request[];
  readonly streamPlan: Planned[];
  readonly versionPlan: Planned[];
  version: number;
  retryMs: number | undefined;
  readonly open: Connection[];
  readonly last: Connection;
  failNext(...statuses: number[]): void;
  readonly handlers: ReturnType<typeof http.get>[];
}

export const booking = (id: string | undefined, type: "create" | "update" | "delete" | "test" = "create", bookingId = 1): SseMessage => ({
  event: "booking",
  ...(id === undefined ? {} : { id }),
  data: JSON.stringify({ type, data: { id: bookingId, specialist_id: 3, workpoint_id: 1 } }),
});

export const errorBody = (status: number, error: string, message: string): Planned => () =>
  HttpResponse.json({ error, message }, { status });

/**
 * The hub. `streamPlan` and `versionPlan` hold answers for the next requests (a status, or any
 * Response); when empty, the stream opens (sending `retry:` first when `retryMs` is set) and the
 * version endpoint answers `{"version": hub.version}` with an ETag, or 304 to a matching If-None-Match.
 */
export function createHub(): Hub {
  const encoder = new TextEncoder();
  const hub: Hub = {
    connections: [],
    streamRequests: [],
    versionRequests: [],
    streamPlan: [],
    versionPlan: [],
    version: 1,
    retryMs: undefined,
    /** The open (not cancelled, not ended) connections. */
    get open(): Connection[] {
      return hub.connections.filter((c) => !c.cancelled && !ended.has(c));
    },
    get last(): Connection {
      const connection = hub.connections.at(-1);
      if (!connection) throw new Error("no connection yet");
      return connection;
    },
    failNext(...statuses: number[]): void {
      for (const status of statuses) hub.streamPlan.push(() => new HttpResponse(`upstream says ${status}`, { status }));
    },
    handlers: [
      http.get(STREAM_URL, ({ request }) => {
        hub.streamRequests.push(request);
        const planned = hub.streamPlan.shift();
        if (planned) return planned();
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        let cancelled = false;
        const stream = new ReadableStream<Uint8Array>({
          start: (c) => {
            controller = c;
            if (hub.retryMs !== undefined) c.enqueue(encoder.encode(`retry: ${hub.retryMs}\n\n`));
          },
          cancel: () => {
            cancelled = true;
          },
        });
        const connection: Connection = {
          url: new URL(request.url),
          headers: request.headers,
          send: (frame) => {
            if (cancelled || ended.has(connection)) return;
            controller.enqueue(frame instanceof Uint8Array ? frame : encoder.encode(typeof frame === "string" ? frame : encodeSseMessage(frame)));
          },
          end: () => {
            if (cancelled || ended.has(connection)) return;
            ended.add(connection);
            controller.close();
          },
          get cancelled() {
            return cancelled;
          },
        };
        request.signal.addEventListener("abort", () => {
          cancelled = true;
        });
        hub.connections.push(connection);
        return new HttpResponse(stream, {
          headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform" },
        });
      }),
      http.get(VERSION_URL, ({ request }) => {
        hub.versionRequests.push(request);
        const planned = hub.versionPlan.shift();
        if (planned) return planned();
        const etag = `"v${hub.version}"`;
        if (request.headers.get("if-none-match") === etag) return new HttpResponse(null, { status: 304, headers: { ETag: etag } });
        return HttpResponse.json({ version: hub.version }, { headers: { ETag: etag, "Cache-Control": "private, no-store" } });
      }),
    ],
  };
  const ended = new Set<Connection>();
  return hub;
}
