// Sizes of a run: the full suite (sized to finish in ~25 minutes on 2 cores) and --quick (< 60 s).

/**
 * Idle windows are whole heartbeat periods (`HEARTBEAT_MS.full`): every system then writes each of its
 * streams' heartbeats exactly once per period inside the window, whether it writes them all at once or
 * spreads them. With a 10 s window and a 15 s period, a system's idle CPU was its whole sweep or none
 * of it, by luck (in the previous full run (b), (i) and (j) at 10,000 had a sweep in their window, the
 * others none).
 *
 * @type {import("../scenarios/common.mjs").ScenarioParams}
 */
export const FULL = {
  idleMs: 15_000,
  idleMsLargest: 30_000,
  broadcastWarmupEvents: 5,
  broadcastEvents: 100,
  broadcastIntervalMs: 100,
  filteredLatencyEvents: 15,
  filteredWarmupEvents: 3000,
  filteredCostMaxEvents: 5000,
  filteredCostMinCpuMs: 400,
  filteredCostMaxMs: 8000,
  burstEvents: 1000,
  burstDeadlineMs: 45_000,
  stormDeadlineMs: 30_000,
  connectDeadlineMs: 60_000,
  settleMs: 5000,
  pauseMs: 500,
};

/** @type {import("../scenarios/common.mjs").ScenarioParams} */
export const QUICK = {
  idleMs: 500,
  idleMsLargest: 500,
  broadcastWarmupEvents: 2,
  broadcastEvents: 6,
  broadcastIntervalMs: 100,
  filteredLatencyEvents: 4,
  filteredWarmupEvents: 50,
  filteredCostMaxEvents: 200,
  filteredCostMinCpuMs: 50,
  filteredCostMaxMs: 500,
  burstEvents: 1000,
  burstDeadlineMs: 15_000,
  stormDeadlineMs: 10_000,
  connectDeadlineMs: 15_000,
  settleMs: 1500,
  pauseMs: 100,
};

/**
 * Connection counts of the full suite. At 20,000 only systems that spread their sockets over
 * processes run (this machine allows 20,000 open files per process); the others are reported as forbidden.
 */
export const FULL_COUNTS = [500, 2000, 10_000, 20_000];
/** Connection count of --quick. */
export const QUICK_COUNTS = [20];
/** Heartbeat interval every system is configured with (full / quick). */
export const HEARTBEAT_MS = { full: 15_000, quick: 500 };
