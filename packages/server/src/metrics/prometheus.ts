import { HubError } from "../errors.js";
import type { HubStats, LagHistogram } from "../stats.js";
import { PUBLISH_REFUSALS } from "../publishing/publish-refusals.js";
import { TICKET_REFUSALS } from "../tickets/ticket-reasons.js";

/** The content type of the Prometheus text exposition format (version 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One metric family to expose beside the hub's own, e.g. refused tokens by reason. */
export interface PrometheusMetric {
  /** The name after the prefix, e.g. `auth_failures_total` (letters, digits, `_`). */
  readonly name: string;
  /** One line saying what it counts. */
  readonly help: string;
  /** `counter` (only goes up), `gauge`, or `histogram` (samples with the `_bucket`, `_sum`, `_count` suffixes). */
  readonly type: "counter" | "gauge" | "histogram";
  /** The samples: one per label combination (and, for a histogram, per suffix). */
  readonly samples: ReadonlyArray<{ readonly labels?: Readonly<Record<string, string>>; readonly value: number; readonly suffix?: "_bucket" | "_sum" | "_count" }>;
}

/** Options of {@link prometheusMetrics}. */
export interface PrometheusOptions {
  /**
   * The prefix of every metric name.
   * @defaultValue `"realtime_bookings"`
   */
  readonly prefix?: string;
  /** More metric families, appended after the hub's. */
  readonly extra?: readonly PrometheusMetric[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The fields of `hub.stats()` that hold a plain number. */
type CountField = { [K in keyof HubStats]: HubStats[K] extends number ? K : never }[keyof HubStats];

/** The hub's counters: the metric name, what it counts, and the field of `hub.stats()` it reads. */
const COUNTERS: ReadonlyArray<readonly [name: string, help: string, field: CountField]> = [
  ["events_received_total", "Valid booking events received on the channel, including those recovered from the history.", "eventsReceived"],
  ["events_recovered_total", "Events missed while the subscription was down and read back from the history.", "eventsRecovered"],
  ["events_delivered_total", "Event frames written to streams (one per event per stream that may see it).", "eventsDelivered"],
  ["events_dropped_total", "Event frames not written because the stream was closing or dropped.", "eventsDropped"],
  ["messages_rejected_total", "Channel, history or Laravel broadcast messages rejected by validation.", "messagesRejected"],
  ["slow_readers_dropped_total", "Streams dropped because their reader fell too far behind.", "slowReadersDropped"],
  ["replays_total", "Streams that resumed from a Last-Event-ID.", "replays"],
  ["resyncs_total", "resync messages sent (the client must reload).", "resyncs"],
  ["connections_refused_total", "Streams refused with 429 by a connection cap.", "connectionsRefused"],
  ["published_total", "Events published through this hub (publish() and the publish endpoint).", "published"],
  ["reauths_total", "reauth notices sent to streams whose credentials were about to expire.", "reauths"],
  ["streams_drained_total", "Streams ended by a drain, to reconnect to another hub.", "streamsDrained"],
  ["tickets_issued_total", "Stream tickets issued by POST /ticket.", "ticketsIssued"],
];

/** The hub's own metric families, from its stats. */
function hubFamilies(stats: HubStats): PrometheusMetric[] {
  return [
    {
      name: "connections",
      help: "Open SSE streams by viewer role.",
      type: "gauge",
      samples: (["admin", "supervisor", "specialist"] as const).map((role) => ({ labels: { role }, value: stats.connections[role] })),
    },
    { name: "broker_up", help: "Whether the broker subscription is up (1) or down (0).", type: "gauge", samples: [{ value: stats.brokerUp ? 1 : 0 }] },
    ...COUNTERS.map(([name, help, field]): PrometheusMetric => ({ name, help, type: "counter", samples: [{ value: stats[field] }] })),
    {
      name: "publishes_refused_total",
      help: "Requests to the publish endpoint refused, by reason (credentials, method, type, size, event, idempotency key).",
      type: "counter",
      samples: PUBLISH_REFUSALS.map((reason) => ({ labels: { reason }, value: stats.publishesRefusedBy[reason] })),
    },
    {
      name: "tickets_refused_total",
      help: "Stream tickets (and ?token= requests) refused, by reason.",
      type: "counter",
      samples: TICKET_REFUSALS.map((reason) => ({ labels: { reason }, value: stats.ticketsRefused[reason] })),
    },
    { name: "draining", help: "Whether the hub is draining (1) and opens no new stream.", type: "gauge", samples: [{ value: stats.draining ? 1 : 0 }] },
    {
      name: "oldest_backlog_seconds",
      help: "Age of the oldest bytes waiting for a slow reader, over all open streams.",
      type: "gauge",
      samples: [{ value: stats.oldestBacklogMs / 1000 }],
    },
    lagHistogram(stats.deliveryLag),
  ];
}

/** The publish → socket-write lag as a Prometheus histogram in seconds. */
function lagHistogram(lag: LagHistogram): PrometheusMetric {
  return {
    name: "delivery_lag_seconds",
    help: "Time from an event's history id (stored in Redis) to its write to the streams.",
    type: "histogram",
    samples: [
      ...lag.bounds.map((bound, i) => ({ suffix: "_bucket" as const, labels: { le: String(bound / 1000) }, value: lag.counts[i] ?? 0 })),
      { suffix: "_bucket", labels: { le: "+Inf" }, value: lag.count },
      { suffix: "_sum", value: lag.sum / 1000 },
      { suffix: "_count", value: lag.count },
    ],
  };
}

const escapeLabel = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string): string => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const formatValue = (value: number): string =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value);

/**
 * Renders a hub's counters in the Prometheus text exposition format, for a `/metrics` endpoint.
 *
 * Families (with the default prefix): `realtime_bookings_connections{role}` and
 * `realtime_bookings_broker_up` (gauges); `…_events_received_total`, `…_events_recovered_total`,
 * `…_events_delivered_total`, `…_events_dropped_total`, `…_messages_rejected_total`,
 * `…_slow_readers_dropped_total`, `…_replays_total`, `…_resyncs_total`,
 * `…_connections_refused_total`, `…_published_total`, `…_publishes_refused_total{reason}`, `…_reauths_total`,
 * `…_streams_drained_total`, `…_tickets_issued_total`, `…_tickets_refused_total{reason}` (counters); `…_draining` and `…_oldest_backlog_seconds` (gauges);
 * `…_delivery_lag_seconds` (a histogram); then `options.extra`.
 *
 * @param stats - from `hub.stats()`
 * @param options - the name prefix and extra families
 * @returns the text to serve with {@link PROMETHEUS_CONTENT_TYPE}
 * @throws {@link HubError} `invalid_options` for a metric or label name Prometheus would reject
 * @example
 * ```ts
 * res.writeHead(200, { "Content-Type": PROMETHEUS_CONTENT_TYPE }).end(prometheusMetrics(hub.stats()));
 * ```
 */
export function prometheusMetrics(stats: HubStats, options: PrometheusOptions = {}): string {
  const prefix = options.prefix ?? "realtime_bookings";
  let text = "";
  for (const family of [...hubFamilies(stats), ...(options.extra ?? [])]) {
    const name = prefix ? `${prefix}_${family.name}` : family.name;
    if (!METRIC_NAME.test(name)) throw new HubError("invalid_options", `"${name}" is not a valid Prometheus metric name`);
    text += `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} ${family.type}\n`;
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {});
      for (const [label] of labels) {
        if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new HubError("invalid_options", `"${label}" is not a valid Prometheus label name`);
      }
      const rendered = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
      text += `${name}${sample.suffix ?? ""}${rendered} ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}
