import {
  type BookingEvent,
  type EventId,
  type JsonLimits,
  type ViewerScope,
  SSE_HEADERS,
  canView,
  parseEventId,
  safeParseBookingMessage,
  safeParseViewer,
  versionKeyFor,
  versionKeysOf,
} from "@realtime-bookings/protocol";
import { memoryBroker } from "../brokers/memory.js";
import type { Broker } from "../brokers/types.js";
import { AuthenticationError, HubError } from "../errors.js";
import { FanoutBatch } from "../fanout/batch.js";
import { Connection } from "../fanout/connection.js";
import { ScopeCursors } from "../fanout/cursors.js";
import { fanOut } from "../fanout/fan-out.js";
import { type Frame, HEARTBEAT, bookingFrame, preamble, readyFrame, resyncFrame } from "../fanout/frames.js";
import { Registry } from "../fanout/registry.js";
import { ReplayReader } from "../fanout/replay.js";
import type { Sink } from "../fanout/sink.js";
import { corsDecision } from "../http/cors.js";
import { NodeSink } from "../http/node-sink.js";
import { writeStreamHead } from "../http/node-stream-head.js";
import { type PlainResponse, errorResponse, sendNode, toFetchResponse } from "../http/plain-response.js";
import { type HubRequest, fromFetch, fromNode } from "../http/request.js";
import { WebSink } from "../http/web-sink.js";
import { ChannelFeed } from "./channel-feed.js";
import { type HubHandler, plainHandler } from "./handler.js";
import { answerVersion } from "./version-endpoint.js";
import { withDeadline } from "./guard.js";
import { type BookingHubOptions, resolveOptions } from "./options.js";
import { type HubStats, newCounters } from "./stats.js";

/** What `/healthz` reports. */
export interface HubHealth {
  /** `true` when the broker answered a ping and the subscription is up. */
  readonly ok: boolean;
  /** The broker kind: `memory`, `ioredis`, `node-redis`. */
  readonly broker: string;
  /** Whether the broker answered a ping within `brokerTimeoutMs`. */
  readonly brokerReachable: boolean;
  /** Whether the subscription is up. */
  readonly subscribed: boolean;
  /** Open streams. */
  readonly connections: number;
}

/**
 * A booking hub: publishes booking changes and streams them to every viewer allowed to see them.
 */
export interface BookingHub {
  /**
   * Publishes a booking change: bumps the version counters, appends it to the history and publishes
   * it, atomically. Resolves with its history id once the broker has it.
   *
   * @throws {@link HubError} `invalid_event` (with the `ProtocolError` as `cause`), `broker_timeout`,
   * `broker_error`, or `closed`
   */
  publish(event: BookingEvent): Promise<{ readonly id: EventId }>;
  /** The SSE stream endpoint (GET), filtered to the viewer's scope, with resume by `Last-Event-ID`. */
  readonly events: HubHandler;
  /** The version endpoint (GET): `{"version": n}` of the viewer's own scope, with an ETag. */
  readonly version: HubHandler;
  /** The broker this hub runs on. */
  readonly broker: Broker;
  /** Counters since start. */
  stats(): HubStats;
  /** Pings the broker. */
  health(): Promise<HubHealth>;
  /**
   * Ends every stream (clients reconnect, each after its own jittered `retry:`), stops the heartbeat
   * and closes the broker's subscription. Safe to call twice.
   */
  close(): Promise<void>;
}

type Admitted = {
  readonly viewer: ViewerScope;
  readonly key: string;
  readonly expiresAt: number | undefined;
  readonly headers: Record<string, string>;
  readonly lastEventId: string | undefined;
};
/** A request's viewer as `authenticate` decided it. */
type Identity = { readonly viewer: ViewerScope; readonly key: string | undefined; readonly expiresAt: number | undefined };
/** What a new stream starts with: the replay, and whether it needs a fresh resume point. */
type Replay = { readonly frames: readonly Frame[]; readonly lastId: EventId | undefined; readonly freshCursor: boolean };

/**
 * Creates a booking hub: ONE subscription per process, fanned out in memory through an index of
 * connections by scope, with the endpoints in both handler shapes.
 *
 * @param options - see {@link BookingHubOptions}; only `authenticate` is required
 * @throws {@link HubError} `invalid_options` for an option out of range
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { createBookingHub } from "@realtime-bookings/server";
 *
 * const hub = createBookingHub({ authenticate: (req) => sessionViewer(req.cookie("sid")) });
 * createServer((req, res) => {
 *   if (req.url?.startsWith("/events")) return hub.events.node(req, res);
 *   if (req.url?.startsWith("/version")) return hub.version.node(req, res);
 *   res.writeHead(404).end();
 * }).listen(3000);
 * await hub.publish({ type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1 } });
 * ```
 */
export function createBookingHub(options: BookingHubOptions): BookingHub {
  const o = resolveOptions(options);
  const broker = options.broker ?? memoryBroker();
  const limits: JsonLimits = { maxLength: o.maxEventLength };
  const registry = new Registry();
  const cursors = new ScopeCursors();
  const counters = newCounters();
  const guard = <T>(call: () => Promise<T>): Promise<T> => withDeadline(call, o.brokerTimeoutMs);
  const loggedCodes = new Set<string>();
  let brokerUp = false;
  let closed = false;

  const logOnce = (code: string, message: string, detail?: unknown): void => {
    if (loggedCodes.has(code)) return;
    loggedCodes.add(code);
    o.logger.warn(`[realtime-bookings] ${message} (logged once; see stats for counts)`, detail);
  };

  const batch = new FanoutBatch(
    (messages) => {
      const tally = fanOut(registry, messages);
      counters.eventsDelivered += tally.delivered;
      counters.eventsDropped += tally.dropped;
      counters.resyncs += tally.resyncs;
    },
    (error) => o.logger.error("[realtime-bookings] fan-out failed", error),
  );
  const feed = new ChannelFeed(
    broker,
    {
      deliver(message, recovered) {
        counters.eventsReceived += 1;
        if (recovered) counters.eventsRecovered += 1;
        if (message.id !== undefined) cursors.advance(message.id, message.scope);
        batch.push({ frame: bookingFrame(message.id, message.event), scope: message.scope });
      },
      resyncAll(reason) {
        batch.push({ frame: resyncFrame(reason), scope: undefined });
      },
      rejected(error) {
        counters.messagesRejected += 1;
        logOnce(`rejected:${error.code}`, `rejected a message on the channel: ${error.message}`, error.field);
      },
      brokerState(up, error) {
        if (up === brokerUp) return;
        brokerUp = up;
        if (!up) o.logger.warn("[realtime-bookings] broker subscription down; the client reconnects and the hub recovers from history", error);
      },
    },
    limits,
    o.replayLimit,
    guard,
  );
  const subscribed = broker.subscribe(feed);
  subscribed.catch((error: unknown) => o.logger.error("[realtime-bookings] could not subscribe to the broker", error));

  const replayReader = new ReplayReader(broker, o.replayLimit, limits, guard, (error) => {
    counters.messagesRejected += 1;
    logOnce(`history:${error.message}`, `skipped an invalid history entry: ${error.message}`);
  });

  const heartbeat = setInterval(() => registry.forEach((c) => c.heartbeat(HEARTBEAT)), o.heartbeatMs);
  heartbeat.unref?.();

  /** Takes a connection out of the index and frees its timer: the one way a connection leaves. */
  const release = (connection: Connection | undefined): void => {
    if (!connection) return;
    registry.remove(connection);
    connection.dispose();
  };

  const onSlow = (): void => {
    counters.slowReadersDropped += 1;
  };

  async function authorize(request: HubRequest, headers: Record<string, string>): Promise<Identity | PlainResponse> {
    let answer: Awaited<ReturnType<typeof o.authenticate>>;
    try {
      answer = await o.authenticate(request);
    } catch (error) {
      if (error instanceof AuthenticationError) return errorResponse(error.status, error.reason, error.message, { ...headers, ...error.headers });
      o.logger.error("[realtime-bookings] authenticate threw", error);
      return errorResponse(500, "internal_error", "Authentication failed on the server.", headers);
    }
    if (answer === null || answer === undefined) return errorResponse(401, "unauthenticated", "Sign in to receive booking updates.", headers);
    const { viewer, key, expiresAt } = "viewer" in answer ? answer : { viewer: answer, key: undefined, expiresAt: undefined };
    const parsed = safeParseViewer(viewer);
    if (!parsed.ok) {
      o.logger.error(`[realtime-bookings] authenticate returned an invalid viewer: ${parsed.error.message}`);
      return errorResponse(500, "invalid_viewer", "The server could not tell what this user may see.", headers);
    }
    return { viewer: parsed.value, key, expiresAt };
  }

  /** Checks shared by both endpoints: open, CORS, method, viewer. */
  async function gate(request: HubRequest): Promise<(Identity & { headers: Record<string, string> }) | PlainResponse> {
    if (closed) return errorResponse(503, "shutting_down", "The hub is shutting down; reconnect shortly.", { "Retry-After": "1" });
    const cors = corsDecision(o.cors, request);
    if (!cors.allowed) return errorResponse(403, "origin_not_allowed", "This origin may not use the hub.");
    if (request.method === "OPTIONS") return { status: 204, headers: cors.headers, body: "" };
    if (request.method !== "GET") return errorResponse(405, "method_not_allowed", "Use GET.", { ...cors.headers, Allow: "GET, OPTIONS" });
    const identity = await authorize(request, cors.headers);
    return "status" in identity ? identity : { ...identity, headers: cors.headers };
  }

  async function admit(request: HubRequest): Promise<Admitted | PlainResponse> {
    const gated = await gate(request);
    if ("status" in gated) return gated;
    const { viewer, headers, expiresAt } = gated;
    const key = gated.key ?? o.viewerKey(viewer, request);
    const retryAfter = { ...headers, "Retry-After": String(1 + Math.floor(Math.random() * 5)) };
    if (registry.size >= o.maxConnections) {
      counters.connectionsRefused += 1;
      return errorResponse(429, "too_many_connections", "The hub is at its connection limit; retry later.", retryAfter);
    }
    if (registry.countFor(key) >= o.maxConnectionsPerViewer) {
      counters.connectionsRefused += 1;
      return errorResponse(429, "too_many_connections", "Too many open streams for this user; close a tab or retry later.", retryAfter);
    }
    try {
      await guard(() => subscribed);
    } catch {
      return errorResponse(503, "broker_unavailable", "Real-time updates are unavailable; retry later.", retryAfter);
    }
    const lastEventId = request.header("last-event-id") || request.url.searchParams.get("lastEventId") || undefined;
    return { viewer, key, expiresAt, headers, lastEventId };
  }

  async function readReplay(viewer: ViewerScope, lastEventId: string | undefined): Promise<Replay | undefined> {
    if (lastEventId === undefined) return { frames: [], lastId: undefined, freshCursor: true };
    const after = parseEventId(lastEventId);
    counters.replays += 1;
    if (!after) {
      counters.resyncs += 1;
      return { frames: [resyncFrame("invalid_id")], lastId: undefined, freshCursor: true };
    }
    try {
      const result = await replayReader.read(after);
      if (result.status === "resync") {
        counters.resyncs += 1;
        return { frames: [resyncFrame(result.reason)], lastId: undefined, freshCursor: true };
      }
      // The replay is filtered by the viewer's CURRENT scope, like the live stream.
      const frames = result.events.filter((e) => canView(viewer, e.scope)).map((e) => e.frame);
      return { frames, lastId: result.lastId, freshCursor: false };
    } catch {
      return undefined;
    }
  }

  /**
   * Registers the connection first (live frames wait), reads the replay, then starts the stream:
   * nothing published meanwhile falls between replay and live.
   */
  async function openStream(admitted: Admitted, sink: Sink, start: () => void): Promise<Connection | PlainResponse> {
    const connection = new Connection(admitted.viewer, sink, admitted.key, o.maxBufferedBytes);
    connection.holdForReplay();
    // Events the feed already took in go to the connections open before this one, and move the
    // cursors, first: this one gets them from the history (its replay) instead of holding them live.
    batch.flush();
    registry.add(connection);
    // Taken as the connection starts holding live frames: every frame it gets later is newer.
    const cursor = cursors.startFor(admitted.viewer);
    const replay = await readReplay(admitted.viewer, admitted.lastEventId);
    if (!replay) {
      release(connection);
      return errorResponse(503, "broker_unavailable", "Could not read the history to resume; retry later.", { ...admitted.headers, "Retry-After": "2" });
    }
    if (sink.closed || closed) {
      release(connection);
      return connection;
    }
    start();
    if (admitted.expiresAt !== undefined) connection.expireAt(admitted.expiresAt);
    sink.write(preamble(o.retryMs + Math.floor(Math.random() * o.retryMs)));
    const ready: Frame = { id: undefined, bytes: readyFrame(replay.freshCursor ? cursor : undefined, o.heartbeatMs) };
    connection.goLive([...replay.frames, ready], replay.lastId).catch((error: unknown) => {
      o.logger.error("[realtime-bookings] replay failed", error);
      sink.close();
    });
    return connection;
  }

  const streamHeaders = (admitted: Admitted): Record<string, string> => ({ ...SSE_HEADERS, ...admitted.headers });

  const events: HubHandler = {
    async node(req, res) {
      try {
        const admitted = await admit(fromNode(req));
        if ("status" in admitted) return sendNode(res, admitted);
        if (res.destroyed) return;
        const sink = new NodeSink(res, o.maxBufferedBytes, onSlow);
        let connection: Connection | undefined;
        res.once("close", () => release(connection));
        const opened = await openStream(admitted, sink, () => writeStreamHead(req, res, streamHeaders(admitted)));
        if ("status" in opened) return sendNode(res, opened);
        connection = opened;
        if (res.destroyed) release(opened);
      } catch (error) {
        o.logger.error("[realtime-bookings] events handler failed", error);
        sendNode(res, errorResponse(500, "internal_error", "The hub failed to open the stream."));
      }
    },
    async fetch(request) {
      try {
        const admitted = await admit(fromFetch(request));
        if ("status" in admitted) return toFetchResponse(admitted);
        let connection: Connection | undefined;
        const sink = new WebSink(o.maxBufferedBytes, onSlow, () => release(connection));
        request.signal?.addEventListener("abort", () => sink.abort(), { once: true });
        const opened = await openStream(admitted, sink, () => {});
        if ("status" in opened) return toFetchResponse(opened);
        connection = opened;
        if (sink.closed) release(opened);
        return new Response(sink.stream, { status: 200, headers: streamHeaders(admitted) });
      } catch (error) {
        o.logger.error("[realtime-bookings] events handler failed", error);
        return toFetchResponse(errorResponse(500, "internal_error", "The hub failed to open the stream."));
      }
    },
  };

  const version = plainHandler(
    (request) => answerVersion({ gate, readVersion: (viewer) => guard(() => broker.readVersion(versionKeyFor(broker.keys, viewer))) }, request),
    o.logger,
    "version",
  );

  return {
    broker,
    events,
    version,
    async publish(event) {
      if (closed) throw new HubError("closed", "the hub is closed; create a new one to publish");
      let json: string | undefined;
      try {
        json = JSON.stringify(event);
      } catch (error) {
        throw new HubError("invalid_event", "the event cannot be serialized as JSON", { cause: error });
      }
      const parsed = safeParseBookingMessage(json ?? "", limits);
      if (!parsed.ok) throw new HubError("invalid_event", `invalid booking event: ${parsed.error.message}`, { cause: parsed.error });
      const id = await guard(() => broker.publish(JSON.stringify(parsed.value.event), versionKeysOf(broker.keys, parsed.value.scope)));
      counters.published += 1;
      return { id };
    },
    stats() {
      return { ...counters, connections: registry.byRole(), brokerUp };
    },
    async health() {
      const brokerReachable = await guard(() => broker.ping()).then(
        () => true,
        () => false,
      );
      return { ok: brokerReachable && brokerUp, broker: broker.kind, brokerReachable, subscribed: brokerUp, connections: registry.size };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      batch.flush();
      registry.forEach((c) => {
        c.sink.close();
        release(c);
      });
      await broker.close();
    },
  };
}

