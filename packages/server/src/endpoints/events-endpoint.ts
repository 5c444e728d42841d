import { SSE_HEADERS } from "@realtime-bookings/protocol";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admission, Admitted } from "../admission/admission.js";
import type { Broadcaster } from "../fanout/broadcaster.js";
import { Connection, type ExpiryNotice } from "../fanout/connection.js";
import { type Frame, preamble, readyFrame } from "../fanout/frames.js";
import type { Resumer } from "../fanout/resume/resumer.js";
import type { Sink } from "../fanout/sink.js";
import { NodeSink, type NodeSinkLimits } from "../http/node-sink.js";
import { writeStreamHead } from "../http/node-stream-head.js";
import { type PlainResponse, errorResponse, sendNode, toFetchResponse } from "../http/plain-response.js";
import { fromFetch, fromNode } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import { WebSink } from "../http/web-sink.js";
import type { ResolvedOptions } from "../options.js";
import type { Counters } from "../stats.js";
import type { HubHandler } from "./handler.js";
import { TakenStreams } from "./taken-streams.js";

/** What the stream endpoint works with. @internal */
export interface EventsDeps {
  readonly options: Pick<ResolvedOptions, "maxBufferedBytes" | "retryMs" | "reauthLeadMs" | "heartbeatMs" | "logger">;
  readonly counters: Counters;
  readonly admission: Admission;
  readonly broadcaster: Broadcaster;
  readonly resumer: Resumer;
  /** Resolves once what the feed was told about so far is delivered (and in the tail). */
  feedIdle(): Promise<void>;
  /** Whether the hub is closing. */
  closed(): boolean;
}

const failed = (): PlainResponse => errorResponse(500, "internal_error", "The hub failed to open the stream.");

/** The events endpoint's extras for a server that owns every socket it serves (the standalone server). @internal */
export interface StreamSockets {
  /**
   * The Node shape, except that once a stream's head is on the wire its socket is taken from
   * node:http (see `takeSocket`): the request, the response and the parser are let go, the stream
   * writes to the socket.
   */
  node(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Destroys the socket of every taken stream still open: the last step of a shutdown. */
  cut(): void;
}

/** Where the events handler keeps its {@link StreamSockets}. @internal */
export const STREAM_SOCKETS: unique symbol = Symbol("realtime-bookings.streamSockets");

/** The events endpoint: both handler shapes, and {@link StreamSockets} for a server that owns its sockets. @internal */
export type EventsHandler = HubHandler & { readonly [STREAM_SOCKETS]: StreamSockets };

/**
 * The SSE stream endpoint in both handler shapes. The Node shape writes to the socket natively (a
 * close-delimited HTTP/1.1 stream: one plain write per event, a measured gain); the Web shape returns
 * a `ReadableStream`. Both admit the request, register the connection, replay what it missed, then
 * go live.
 *
 * @internal
 */
export function eventsEndpoint(deps: EventsDeps): EventsHandler {
  const { options, counters, broadcaster } = deps;
  const limits: NodeSinkLimits = {
    maxBufferedBytes: options.maxBufferedBytes,
    onSlow: () => {
      counters.slowReadersDropped += 1;
    },
  };
  // One notice for every stream: the frame is encoded when it is sent, from the stream's own expiry.
  const notice: ExpiryNotice = {
    leadMs: options.reauthLeadMs,
    sent: () => {
      counters.reauths += 1;
    },
  };
  const headersOf = (admitted: Admitted): Record<string, string> => ({ ...SSE_HEADERS, ...admitted.headers });
  const taken = new TakenStreams((connection) => broadcaster.leave(connection));

  async function node(req: IncomingMessage, res: ServerResponse, take: boolean, url?: URL): Promise<void> {
    try {
      const admitted = await deps.admission.admit(fromNode(req, url));
      if ("status" in admitted) return sendNode(res, admitted);
      if (res.destroyed) return;
      const sink = new NodeSink(res, limits);
      let connection: Connection | undefined;
      res.once("close", () => broadcaster.leave(connection));
      const opened = await openStream(deps, admitted, sink, notice, (started, preamble) => {
        writeStreamHead(req, res, headersOf(admitted));
        // Head and preamble leave in one write, as they always did.
        sink.write(preamble);
        if (take) taken.take(req, res, sink, started);
        else sink.direct();
      });
      if ("status" in opened) return sendNode(res, opened);
      connection = opened;
      if (sink.closed) broadcaster.leave(opened);
    } catch (error) {
      options.logger.error("[realtime-bookings] events handler failed", error);
      sendNode(res, failed());
    }
  }

  return {
    node: (req, res) => node(req, res, false),
    async fetch(request) {
      try {
        const admitted = await deps.admission.admit(fromFetch(request));
        if ("status" in admitted) return toFetchResponse(admitted);
        let connection: Connection | undefined;
        const sink = new WebSink(options.maxBufferedBytes, limits.onSlow, () => broadcaster.leave(connection));
        request.signal?.addEventListener("abort", () => sink.abort(), { once: true });
        const opened = await openStream(deps, admitted, sink, notice, (_, preamble) => sink.write(preamble));
        if ("status" in opened) return toFetchResponse(opened);
        connection = opened;
        if (sink.closed) broadcaster.leave(opened);
        return new Response(sink.stream, { status: 200, headers: headersOf(admitted) });
      } catch (error) {
        options.logger.error("[realtime-bookings] events handler failed", error);
        return toFetchResponse(failed());
      }
    },
    [STREAM_SOCKETS]: {
      node: (req, res, url) => node(req, res, true, url),
      cut: () => taken.cut(),
    },
  };
}

/**
 * Registers the connection first (live frames wait), reads the replay, then starts the stream:
 * nothing published meanwhile falls between replay and live. `start` writes the head (if the shape has
 * one) and the preamble it is given.
 */
async function openStream(deps: EventsDeps, admitted: Admitted, sink: Sink, notice: ExpiryNotice, start: (connection: Connection, preamble: Uint8Array) => void): Promise<Connection | PlainResponse> {
  const { options, broadcaster } = deps;
  // What the hub was told about so far is in the tail once the feed is idle; the rest comes live.
  await deps.feedIdle();
  const connection = new Connection(admitted.viewer, sink, admitted.key, options.maxBufferedBytes);
  connection.holdForReplay();
  // Taken as the connection starts holding live frames: every frame it gets later is newer.
  const cursor = broadcaster.join(connection);
  const resume = await deps.resumer.resume(admitted.viewer, admitted.key, admitted.lastEventId);
  if (resume.kind !== "replay") {
    broadcaster.leave(connection);
    return resume.kind === "limited"
      ? errorResponse(429, "too_many_resumes", "Too many resumes from old ids for this user; retry later.", { ...admitted.headers, "Retry-After": jitteredRetryAfter(resume.retryAfter) })
      : errorResponse(503, "broker_unavailable", "Could not read the history to resume; retry later.", { ...admitted.headers, "Retry-After": jitteredRetryAfter(2) });
  }
  if (sink.closed || deps.closed()) {
    broadcaster.leave(connection);
    return connection;
  }
  start(connection, preamble(options.retryMs + Math.floor(Math.random() * options.retryMs)));
  if (admitted.expiresAt !== undefined) broadcaster.expireAt(connection, admitted.expiresAt, notice);
  const ready: Frame = { id: resume.freshCursor ? cursor : undefined, bytes: readyFrame(resume.freshCursor ? cursor : undefined, options.heartbeatMs) };
  connection.goLive([...resume.frames, ready], resume.lastId).catch((error: unknown) => {
    options.logger.error("[realtime-bookings] replay failed", error);
    sink.close();
  });
  return connection;
}
