/**
 * What the primary and the workers of `serve --workers N` say to each other over node:cluster's IPC
 * channel: start-up, drains, shutdown and `/metrics`. Nothing here carries a booking event: events
 * reach every worker through its own Redis subscription.
 */
import type { MetricsSnapshot } from "../../standalone/server.js";

/** One worker's figures, as it answers the primary. @internal */
export interface WorkerSnapshot extends MetricsSnapshot {
  /** The worker's number, 1…N (a replacement keeps the number of the worker it replaces). */
  readonly worker: number;
  readonly pid: number;
}

/** A worker that did not answer in time. @internal */
export interface MissingWorker {
  readonly worker: number;
  readonly pid: number | undefined;
}

/** Worker → primary. @internal */
export type WorkerMessage =
  | { readonly rb: "listening"; readonly url: string }
  | { readonly rb: "draining" }
  | { readonly rb: "gather"; readonly id: number }
  | { readonly rb: "snapshot"; readonly id: number; readonly snapshot: WorkerSnapshot };

/** Primary → worker. @internal */
export type PrimaryMessage =
  | { readonly rb: "shutdown"; readonly signal: NodeJS.Signals }
  | { readonly rb: "snapshot?"; readonly id: number }
  | { readonly rb: "gathered"; readonly id: number; readonly snapshots: readonly WorkerSnapshot[]; readonly missing: readonly MissingWorker[] };

/** Whether an IPC message is one of ours (anything else, e.g. node:cluster's own, is ignored). @internal */
export const isOurs = <T extends { rb: string }>(message: unknown): message is T =>
  typeof message === "object" && message !== null && typeof (message as { rb?: unknown }).rb === "string";

/** The environment variable that tells a forked worker its number. @internal */
export const WORKER_ENV = "REALTIME_BOOKINGS_WORKER";

/** How long the primary waits for the workers' figures before answering without the late ones. @internal */
export const GATHER_WAIT_MS = 1_000;
