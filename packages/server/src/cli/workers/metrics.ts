/**
 * `/metrics` of `serve --workers N`: every worker's figures merged into one hub's (counters and
 * gauges summed, histograms merged bucket by bucket), plus one sample per worker so an operator sees
 * how the streams are spread and which worker did not answer.
 */
import type { PrometheusMetric } from "../../metrics/prometheus.js";
import type { GatheredMetrics } from "../../standalone/server.js";
import type { HubStats, LagHistogram } from "../../stats.js";
import type { MissingWorker, WorkerSnapshot } from "./messages.js";

type Counter = Exclude<keyof HubStats, "connections" | "brokerUp" | "draining" | "oldestBacklogMs" | "deliveryLag">;

function mergeLag(a: LagHistogram, b: LagHistogram): LagHistogram {
  // Every worker runs the same code, so the bounds agree; a histogram that differs is left out rather than mixed.
  if (a.bounds.length !== b.bounds.length || a.bounds.some((bound, i) => bound !== b.bounds[i])) return a;
  return { bounds: a.bounds, counts: a.counts.map((count, i) => count + (b.counts[i] ?? 0)), count: a.count + b.count, sum: a.sum + b.sum };
}

/** Two hubs' stats as one: sums, except the broker is up only if up everywhere and the backlog is the oldest. */
function mergeStats(a: HubStats, b: HubStats): HubStats {
  const merged: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) if (typeof value === "number" && typeof a[key as keyof HubStats] === "number") merged[key] = (a[key as Counter] as number) + value;
  return {
    ...(merged as unknown as HubStats),
    connections: { admin: a.connections.admin + b.connections.admin, supervisor: a.connections.supervisor + b.connections.supervisor, specialist: a.connections.specialist + b.connections.specialist },
    brokerUp: a.brokerUp && b.brokerUp,
    draining: a.draining || b.draining,
    oldestBacklogMs: Math.max(a.oldestBacklogMs, b.oldestBacklogMs),
    deliveryLag: mergeLag(a.deliveryLag, b.deliveryLag),
    ticketsRefused: sumCounts(a.ticketsRefused, b.ticketsRefused),
    publishesRefusedBy: sumCounts(a.publishesRefusedBy, b.publishesRefusedBy),
  };
}

/** Two counts by reason as one. */
function sumCounts<K extends string>(a: Readonly<Record<K, number>>, b: Readonly<Record<K, number>>): Record<K, number> {
  const sum = { ...a } as Record<K, number>;
  for (const [reason, count] of Object.entries(b) as Array<[K, number]>) sum[reason] = (sum[reason] ?? 0) + count;
  return sum;
}

const streams = (stats: HubStats): number => stats.connections.admin + stats.connections.supervisor + stats.connections.specialist;

/**
 * Merges what the workers answered; `local` stands in when none did (the primary is gone), so
 * `/metrics` always answers.
 *
 * @internal
 */
export function mergeWorkers(local: WorkerSnapshot, snapshots: readonly WorkerSnapshot[], missing: readonly MissingWorker[]): GatheredMetrics {
  const answered = snapshots.length ? [...snapshots].sort((a, b) => a.worker - b.worker) : [local];
  const [first, ...rest] = answered as [WorkerSnapshot, ...WorkerSnapshot[]];
  let stats = first.stats;
  let tokenFailures: Record<string, number> = { ...first.tokenFailures };
  for (const snapshot of rest) {
    stats = mergeStats(stats, snapshot.stats);
    tokenFailures = sumCounts(tokenFailures, snapshot.tokenFailures);
  }
  const label = (w: { worker: number; pid: number | undefined }) => ({ worker: String(w.worker), pid: String(w.pid ?? "") });
  const families: PrometheusMetric[] = [
    {
      name: "worker_up",
      help: "Whether each worker process answered this scrape (1) or not (0, its figures are missing from the sums).",
      type: "gauge",
      samples: [...answered.map((w) => ({ labels: label(w), value: 1 })), ...missing.map((w) => ({ labels: label(w), value: 0 }))],
    },
    { name: "worker_connections", help: "Open SSE streams in each worker process.", type: "gauge", samples: answered.map((w) => ({ labels: label(w), value: streams(w.stats) })) },
    { name: "worker_broker_up", help: "Whether each worker's broker subscription is up (1) or down (0).", type: "gauge", samples: answered.map((w) => ({ labels: label(w), value: w.stats.brokerUp ? 1 : 0 })) },
  ];
  const json = {
    workers: answered.map((w) => ({ worker: w.worker, pid: w.pid, connections: w.stats.connections, brokerUp: w.stats.brokerUp, draining: w.stats.draining })),
    workersMissing: missing,
  };
  return { stats, tokenFailures, startedAt: Math.min(...answered.map((w) => w.startedAt)), families, json };
}
