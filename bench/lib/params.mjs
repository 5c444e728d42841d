// Sizes of a run: the full suite (sized to finish in ~25 minutes on 2 cores) and --quick (< 60 s).

/** @type {import("../scenarios/common.mjs").ScenarioParams} */
export const FULL = {
  idleMs: 30_000,
  broadcastEvents: 60,
  broadcastIntervalMs: 100,
  filteredLatencyEvents: 20,
  filteredCostMaxEvents: 3000,
  filteredCostMinCpuMs: 400,
  filteredCostMaxMs: 15_000,
  burstEvents: 1000,
  burstDeadlineMs: 90_000,
  stormDeadlineMs: 45_000,
  settleMs: 5000,
  pauseMs: 500,
};

/** @type {import("../scenarios/common.mjs").ScenarioParams} */
export const QUICK = {
  idleMs: 500,
  broadcastEvents: 6,
  broadcastIntervalMs: 100,
  filteredLatencyEvents: 4,
  filteredCostMaxEvents: 200,
  filteredCostMinCpuMs: 50,
  filteredCostMaxMs: 500,
  burstEvents: 1000,
  burstDeadlineMs: 15_000,
  stormDeadlineMs: 10_000,
  settleMs: 1500,
  pauseMs: 100,
};

/** Connection counts of the full suite. */
export const FULL_COUNTS = [500, 2000, 10_000];
/** Connection count of --quick. */
export const QUICK_COUNTS = [20];
/** Heartbeat interval every system is configured with (full / quick). */
export const HEARTBEAT_MS = { full: 15_000, quick: 500 };
