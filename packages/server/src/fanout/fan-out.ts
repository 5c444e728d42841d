import type { Outgoing } from "./batch.js";
import { joinFrames } from "./frames.js";
import type { Registry } from "./registry.js";

/** What one batch's fan-out did, for the hub's counters. @internal */
export interface FanOutTally {
  /** Booking events written (or held for a replay), one per connection per event. */
  delivered: number;
  /** Booking events not written because the connection was gone or dropped as too slow. */
  dropped: number;
  /** `resync` messages sent, one per connection. */
  resyncs: number;
}

/**
 * Writes one batch to every connection allowed to see each message: to each admin as one joined
 * buffer (admins see everything), to supervisors and specialists message by message through the scope
 * index, so no connection outside a message's scope is visited.
 *
 * @internal
 */
export function fanOut(registry: Registry, messages: readonly Outgoing[]): FanOutTally {
  const tally: FanOutTally = { delivered: 0, dropped: 0, resyncs: 0 };
  const frames = messages.map((m) => m.frame);
  const resyncs = messages.filter((m) => m.scope === undefined).length;
  const events = messages.length - resyncs;
  let joined: Uint8Array | undefined;
  registry.forEachAdmin((c) => {
    joined ??= joinFrames(frames);
    if (c.deliverAll(frames, joined)) tally.delivered += events;
    else tally.dropped += events;
    tally.resyncs += resyncs;
  });
  for (const { frame, scope } of messages) {
    registry.forEachScoped(scope, (c) => {
      const ok = c.deliver(frame);
      if (scope === undefined) tally.resyncs += 1;
      else if (ok) tally.delivered += 1;
      else tally.dropped += 1;
    });
  }
  return tally;
}
