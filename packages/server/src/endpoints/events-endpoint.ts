import { SSE_HEADERS } from "@realtime-bookings/protocol";
import type { Admission, Admitted } from "../admission/admission.js";
import type { Broadcaster } from "../fanout/broadcaster.js";
import { Connection, type ExpiryNotice } from "../fanout/connection.js";
import { type Frame, preamble, readyFrame } from "../fanout/frames.js";
import type { Resumer } from "../fanout/resume/resumer.js";
import type { Sink } from "../fanout/sink.js";
import { NodeSink } from "../http/node-sink.js";
import { writeStreamHead } from "../http/node-stream-head.js";
import { type PlainResponse, errorResponse, sendNode, toFetchResponse } from "../http/plain-response.js";
import { fromFetch, fromNode } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import { WebSink } from "../http/web-sink.js";
import type { ResolvedOptions } from "../options.js";
import type { Counters } from "../stats.js";
import type { HubHandler } from "./handler.js";

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

/**
 * The SSE stream endpoint in both handler shapes. The Node shape writes to the socket natively (a
 * close-delimited HTTP/1.1 stream: one plain write per event, a measured gain); the Web shape returns
 * a `ReadableStream`. Both admit the request, register the connection, replay what it missed, then
 * go live.
 *
 * @internal
 */
export function eventsEndpoint(deps: EventsDeps): HubHandler {
  const { options, counters, broadcaster } = deps;
  const onSlow = (): void => {
    counters.slowReadersDropped += 1;
  };
  // One notice for every stream: the frame is encoded when it is sent, from the stream's own expiry.
  const notice: ExpiryNotice = {
    leadMs: options.reauthLeadMs,
    sent: () => {
      counters.reauths += 1;
    },
  };
  const headersOf = (admitted: Admitted): Record<string, string> => ({ ...SSE_HEADERS, ...admitted.headers });
  return {
    async node(req, res) {
      try {
        const admitted = await deps.admission.admit(fromNode(req));
        if ("status" in admitted) return sendNode(res, admitted);
        if (res.destroyed) return;
        const sink = new NodeSink(res, options.maxBufferedBytes, onSlow);
        let connection: Connection | undefined;
        res.once("close", () => broadcaster.leave(connection));
        const opened = await openStream(deps, admitted, sink, notice, () => writeStreamHead(req, res, headersOf(admitted)));
        if ("status" in opened) return sendNode(res, opened);
        connection = opened;
        if (res.destroyed) broadcaster.leave(opened);
      } catch (error) {
        options.logger.error("[realtime-bookings] events handler failed", error);
        sendNode(res, failed());
      }
    },
    async fetch(request) {
      try {
        const admitted = await deps.admission.admit(fromFetch(request));
        if ("status" in admitted) return toFetchResponse(admitted);
        let connection: Connection | undefined;
        const sink = new WebSink(options.maxBufferedBytes, onSlow, () => broadcaster.leave(connection));
        request.signal?.addEventListener("abort", () => sink.abort(), { once: true });
        const opened = await openStream(deps, admitted, sink, notice, () => {});
        if ("status" in opened) return toFetchResponse(opened);
        connection = opened;
        if (sink.closed) broadcaster.leave(opened);
        return new Response(sink.stream, { status: 200, headers: headersOf(admitted) });
      } catch (error) {
        options.logger.error("[realtime-bookings] events handler failed", error);
        return toFetchResponse(failed());
      }
    },
  };
}

/**
 * Registers the connection first (live frames wait), reads the replay, then starts the stream:
 * nothing published meanwhile falls between replay and live.
 */
async function openStream(deps: EventsDeps, admitted: Admitted, sink: Sink, notice: ExpiryNotice, start: () => void): Promise<Connection | PlainResponse> {
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
  start();
  if (admitted.expiresAt !== undefined) broadcaster.expireAt(connection, admitted.expiresAt, notice);
  sink.write(preamble(options.retryMs + Math.floor(Math.random() * options.retryMs)));
  const ready: Frame = { id: resume.freshCursor ? cursor : undefined, bytes: readyFrame(resume.freshCursor ? cursor : undefined, options.heartbeatMs) };
  connection.goLive([...resume.frames, ready], resume.lastId).catch((error: unknown) => {
    options.logger.error("[realtime-bookings] replay failed", error);
    sink.close();
  });
  return connection;
}
