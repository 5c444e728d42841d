import { type BookingEvent, type EventId, type JsonLimits, versionKeyFor } from "@realtime-bookings/protocol";
import { Admission } from "../admission/admission.js";
import { memoryBroker } from "../brokers/memory.js";
import type { Broker } from "../brokers/types.js";
import { eventsEndpoint } from "../endpoints/events-endpoint.js";
import type { HubHandler } from "../endpoints/handler.js";
import { publishEndpoint } from "../endpoints/publish-endpoint.js";
import { ticketEndpoint } from "../endpoints/ticket-endpoint.js";
import { versionEndpoint } from "../endpoints/version-endpoint.js";
import { HubError } from "../errors.js";
import { Broadcaster } from "../fanout/broadcaster.js";
import { ReplayReader } from "../fanout/resume/replay.js";
import { ResumeLimiter } from "../fanout/resume/resume-limiter.js";
import { Resumer } from "../fanout/resume/resumer.js";
import { ChannelFeed } from "../feed/channel-feed.js";
import { LaravelFeed } from "../feed/laravel-feed.js";
import { Publisher } from "../publishing/publisher.js";
import { type BookingHubOptions, resolveOptions } from "../options.js";
import { type HubStats, newCounters } from "../stats.js";
import { newTicketRefusalCounts } from "../tickets/ticket-reasons.js";
import { newPublishRefusalCounts } from "../publishing/publish-refusals.js";
import { TicketStore } from "../tickets/ticket-store.js";
import { BrokerWatch } from "./broker-watch.js";
import { CachedProbe } from "./cached-probe.js";
import { withDeadline } from "./guard.js";
import type { TicketRefusal } from "../tickets/ticket-reasons.js";


/** How long `/healthz` reuses the broker's last answer: 2,000 requests cost one ping, not 2,000. */
const HEALTH_CACHE_MS = 1_000;

/** Options of {@link BookingHub.publish}. */
export interface PublishOptions {
  /**
   * The client id of the browser tab that made the change (`realtime.clientId`, sent by the app with
   * its write as `X-Realtime-Client`): that tab gets the event with `own: true` and does not refresh.
   * 1–64 printable ASCII characters.
   */
  readonly origin?: string | undefined;
  /**
   * Makes a retried publish safe: the first publish with a key publishes and records its id for 24 h
   * (the broker's `idempotencyWindowMs`); a later one with the same key and the same event publishes
   * nothing and resolves with the first id and `replayed: true`, even from another hub on the same
   * Redis (decided atomically in the publish script). The same key with a different event is refused
   * (`idempotency_key_reused`). 1–255 visible ASCII characters, e.g. a UUID made once per change.
   */
  readonly idempotencyKey?: string | undefined;
}

/** What {@link BookingHub.publish} resolves with. */
export interface PublishResult {
  /** The event's history id (the first publish's, when `replayed`). */
  readonly id: EventId;
  /** `true` when an earlier publish with the same idempotency key already made this event. */
  readonly replayed: boolean;
}

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
  /** Whether the hub is draining before a restart (then `ok` is false: route new clients elsewhere). */
  readonly draining: boolean;
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
   * `broker_error`, `closed`, and with an idempotency key `invalid_idempotency_key` or
   * `idempotency_key_reused`
   */
  publish(event: BookingEvent, options?: PublishOptions): Promise<PublishResult>;
  /** The SSE stream endpoint (GET), filtered to the viewer's scope, with resume by `Last-Event-ID`. */
  readonly events: HubHandler;
  /** The version endpoint (GET): `{"version": n}` of the viewer's own scope, with an ETag. */
  readonly version: HubHandler;
  /**
   * The publish endpoint (POST, JSON body: the booking event): for apps that cannot or should not hold
   * Redis credentials. Authorized by the `authorizePublish` option (without it: 403). Answers
   * `200 {"id": "<event id>"}`, or 400 naming the invalid field, 401/403, 405, 408, 413, 415, 503.
   */
  readonly publisher: HubHandler;
  /**
   * The ticket endpoint (POST): the viewer's token arrives once, in the `Authorization: Bearer` header
   * (or the cookie `authenticate` reads), and the answer is `200 {"ticket": "…", "expiresIn": 30}`: a
   * single-use ticket, valid 30 s on any hub of the same Redis, for `?ticket=` on the stream or
   * version URL, where a native `EventSource` could otherwise only put the token itself. Refusals
   * carry a {@link TicketRefusal} code; see `docs/protocol.md`.
   */
  readonly ticket: HubHandler;
  /** The broker this hub runs on. */
  readonly broker: Broker;
  /** Counters since start. */
  stats(): HubStats;
  /** Pings the broker. */
  health(): Promise<HubHealth>;
  /**
   * Drains the hub before a restart: from now on it opens no new stream (503 `draining` with a
   * jittered `Retry-After`; versions are still answered, publishing still works), and it ends the
   * open streams spread evenly over `windowMs`, each told to come back after its own jittered
   * `retry:`, so clients move to the other hubs a few at a time and resume by id: nothing lost,
   * nothing doubled, no resync. Resolves once every stream has ended; then call {@link BookingHub.close}.
   *
   * @param windowMs - how long the drain may take
   * @defaultValue windowMs: 10000
   * @example
   * ```ts
   * process.on("SIGTERM", async () => {
   *   await hub.drain(10_000);
   *   await hub.close();
   *   server.close();
   * });
   * ```
   */
  drain(windowMs?: number): Promise<void>;
  /**
   * Ends every stream (clients reconnect, each after its own jittered `retry:`), stops the heartbeat
   * and closes the broker's subscription. Safe to call twice.
   */
  close(): Promise<void>;
}

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
 *   if (req.url?.startsWith("/ticket")) return hub.ticket.node(req, res);
 *   res.writeHead(404).end();
 * }).listen(3000);
 * await hub.publish({ type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1 } });
 * ```
 */
export function createBookingHub(options: BookingHubOptions): BookingHub {
  const o = resolveOptions(options);
  const broker = options.broker ?? memoryBroker();
  const limits: JsonLimits = { maxLength: o.maxEventLength };
  const counters = newCounters();
  const ticketsRefused = newTicketRefusalCounts();
  const publishesRefusedBy = newPublishRefusalCounts();
  const guard = <T>(call: () => Promise<T>): Promise<T> => withDeadline(call, o.brokerTimeoutMs);
  let closed = false;
  let draining: Promise<unknown> | undefined;

  const watch = new BrokerWatch(counters, o.logger);
  const tickets = new TicketStore(broker, guard);
  const broadcaster = new Broadcaster(counters, o.logger, o.heartbeatMs);
  const laravel = o.laravel && new LaravelFeed(broker, o.laravel, broadcaster, watch, limits);
  const feed = new ChannelFeed(broker, broadcaster, watch, limits, o.replayLimit, guard);
  const subscribed = feed.start();
  // A hub closed before its subscription was made (a CLI that publishes once and exits) cut it itself: not an error.
  subscribed.catch((error: unknown) => closed || o.logger.error("[realtime-bookings] could not subscribe to the broker", error));
  laravel?.start().catch((error: unknown) => closed || o.logger.error("[realtime-bookings] could not subscribe to Laravel's channels", error));

  const admission = new Admission(o, counters, {
    get closed() {
      return closed;
    },
    get draining() {
      return draining !== undefined;
    },
    connections: broadcaster,
    subscribed: () => guard(() => subscribed),
  }, { store: tickets, refused: ticketsRefused });
  const reader = new ReplayReader(broker, o.replayLimit, limits, guard, (error) => watch.invalidHistory(error));
  const resumer = new Resumer(feed.tail, reader, new ResumeLimiter(o.resumeBurst, o.resumesPerSecond), o.replayLimit, counters);
  const publisher = new Publisher(broker, limits, guard, counters);
  const pinged = new CachedProbe(HEALTH_CACHE_MS, () => guard(() => broker.ping()).then(() => true, () => false));

  return {
    broker,
    events: eventsEndpoint({ options: o, counters, admission, broadcaster, resumer, feedIdle: () => feed.idle(), closed: () => closed }),
    publisher: publishEndpoint({ options: o, publisher, counters, refusedBy: publishesRefusedBy, closed: () => closed }),
    ticket: ticketEndpoint({ options: o, admission, store: tickets, counters, refused: ticketsRefused, closed: () => closed }),
    version: versionEndpoint(admission, (viewer) => guard(() => broker.readVersion(versionKeyFor(broker.keys, viewer))), o.logger),
    async publish(event, options) {
      if (closed) throw new HubError("closed", "the hub is closed; create a new one to publish");
      // The tab that made the change (its `X-Realtime-Client` header) travels as the event's origin.
      const withOrigin = options?.origin === undefined ? event : { ...event, origin: options.origin };
      return publisher.publish(withOrigin, options?.idempotencyKey);
    },
    stats() {
      const lag = broadcaster.lag.snapshot();
      return { ...counters, ticketsRefused: { ...ticketsRefused }, publishesRefusedBy: { ...publishesRefusedBy }, connections: broadcaster.byRole(), brokerUp: watch.up, draining: draining !== undefined, oldestBacklogMs: broadcaster.oldestBacklogMs(), deliveryLag: lag };
    },
    async health() {
      // Reused for a second, unless the subscription went down or came back meanwhile.
      const brokerReachable = await pinged.get(watch.changes);
      const isDraining = draining !== undefined;
      return { ok: brokerReachable && watch.up && !isDraining, broker: broker.kind, brokerReachable, subscribed: watch.up, draining: isDraining, connections: broadcaster.size };
    },
    async drain(windowMs = 10_000) {
      draining ??= broadcaster.drain(windowMs, o.retryMs);
      await draining;
    },
    async close() {
      if (closed) return;
      closed = true;
      feed.close();
      await laravel?.close().catch(() => undefined);
      broadcaster.close();
      // Whatever Redis does (down, never reached, hanging), closing ends within the broker timeout.
      await guard(() => broker.close()).catch((error: unknown) => o.logger.warn("[realtime-bookings] the broker did not close in time", error));
    },
  };
}
