// Picks the headline figures of one (system, N) result, so tables and target checks read the same.

/**
 * @param {any} r - one entry of `results` in the bench JSON
 */
export function figures(r) {
  const s = r?.scenarios ?? {};
  return {
    connections: r?.nReached ?? null,
    pssPerConnKiB: s.idle?.pssPerConnKiB ?? null,
    rssPerConnKiB: s.idle?.rssPerConnKiB ?? null,
    heapPerConnKiB: s.idle?.heapPerConnKiB ?? null,
    redisPerConnKiB: s.idle?.redisRssPerConnKiB ?? null,
    idleCpuPercent: s.idle?.serverCpuPercent ?? null,
    broadcastP50: s.broadcast?.latencyMs?.p50 ?? null,
    broadcastP95: s.broadcast?.latencyMs?.p95 ?? null,
    broadcastP99: s.broadcast?.latencyMs?.p99 ?? null,
    broadcastMax: s.broadcast?.latencyMs?.max ?? null,
    firstClientP99: s.broadcast?.firstClientMs?.p99 ?? null,
    lastClientP99: s.broadcast?.lastClientMs?.p99 ?? null,
    deliveriesPerSec: s.broadcast?.deliveriesPerSec ?? null,
    broadcastMissing: s.broadcast?.missingDeliveries ?? null,
    broadcastLimitedBy: s.broadcast?.limitedBy ?? [],
    filteredP99: s.filtered?.latencyMs?.p99 ?? null,
    filteredCpuUs: s.filtered?.serverCpuUsPerEvent ?? null,
    filteredRedisCpuUs: s.filtered?.redisCpuUsPerEvent ?? null,
    filteredLeaks: s.filtered?.leakedDeliveries ?? null,
    burstEventsPerSec: s.burst?.eventsPerSec ?? null,
    burstDeliveriesPerSec: s.burst?.deliveriesPerSec ?? null,
    burstLost: s.burst?.lostDeliveries ?? null,
    burstStillDraining: s.burst?.stillDrainingAtDeadline ?? false,
    burstLimitedBy: s.burst?.limitedBy ?? [],
    stormAllLiveMs: s.reconnect?.allLiveMs ?? null,
    stormAllResumedMs: s.reconnect?.allResumedMs ?? null,
    stormResumed: s.reconnect?.resumed ?? null,
    stormResumeSupported: s.reconnect?.resumeSupported ?? null,
    stormLiveAgain: s.reconnect?.liveAgain ?? null,
  };
}
