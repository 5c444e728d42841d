import { SSE_EVENTS } from "@realtime-bookings/protocol";
import type { StatusReason } from "../events.js";
import type { RealtimeStatus } from "../status.js";
import type { LockManagerLike } from "../environment.js";
import type { TabSharing } from "./types.js";

/** A relayed message: the leader's status (its heartbeat), a stream event, or a version change. */
type Relay =
  | { readonly k: "s"; readonly s: RealtimeStatus; readonly r: StatusReason }
  | { readonly k: "m"; readonly n: string; readonly d: string; readonly i: string | undefined }
  | { readonly k: "v" };

/** How often the leader says it is alive (and what its status is). */
const BEAT_MS = 500;
/** A leader silent this long is frozen or gone without releasing its lock: a visible tab takes over. */
const SILENT_MS = 1500;
/** How many recent event ids each tab remembers, so an event relayed twice is handled once. */
const SEEN = 256;

/**
 * One stream per browser (see {@link TabSharing}). The tabs of one stream URL elect a leader with a
 * Web Lock: the tab holding the lock opens the stream (or polls), relays every event, its version
 * changes and, every 500 ms, its status over a `BroadcastChannel`; the others close theirs and show
 * the leader's status. Every tab handles each event itself (its own `change`, `refresh`, `own`).
 *
 * Handover: a leader that closes, is disabled, or crashes releases the lock, and the next tab in the
 * lock's queue leads at once, resuming after the last event id it saw. A frozen leader keeps its
 * lock: a visible tab that has not heard from it for 1.5 s steals the lock; the old leader's lock
 * request then fails, and when it thaws it steps down. Each tab remembers the last 256 event ids, so an
 * event that arrives both from a thawed leader and from the new one is handled once.
 */
export const tabSharing: TabSharing = (env, streamUrl, host) => {
  const g = globalThis as unknown as Partial<Window & { BroadcastChannel: typeof env.BroadcastChannel }>;
  const { locks = g.navigator?.locks as LockManagerLike | undefined, BroadcastChannel = g.BroadcastChannel } = env;
  if (!locks || !BroadcastChannel) return undefined;
  const name = `realtime-bookings:${new URL(streamUrl, g.location?.href).href}`;
  let channel: ReturnType<typeof open> | undefined;
  let abort: AbortController | undefined;
  let release: (() => void) | undefined;
  let heard = 0;
  let timer: unknown;
  let last: [RealtimeStatus, StatusReason] = ["connecting", "start"];
  const seen: string[] = [];

  const fresh = (id: string | undefined): boolean => {
    if (!id) return true;
    if (seen.includes(id)) return false;
    if (seen.push(id) > SEEN) seen.shift();
    return true;
  };
  const post = (message: Relay): void => channel?.postMessage(message);
  const open = () => {
    const opened = new BroadcastChannel(name);
    opened.onmessage = ({ data }) => {
      const message = data as Relay;
      if (message.k === "s") {
        heard = env.now();
        if (!release) host.follow(message.s, message.r);
      } else if (message.k === "m") {
        if (fresh(message.i)) host.receive(message.n, message.d, message.i);
      } else if (message.k === "v") host.changed();
    };
    return opened;
  };
  const request = (steal?: boolean): void => {
    abort?.abort();
    const mine = (abort = new AbortController());
    heard = env.now();
    locks
      .request(name, steal ? { steal } : { signal: mine.signal }, () => {
        if (mine !== abort) return undefined;
        return new Promise<void>((resolve) => {
          release = resolve;
          host.lead();
          post({ k: "s", s: last[0], r: last[1] });
        });
      })
      .catch(() => undefined)
      .then(() => {
        // The lock is gone while still wanted: another tab stole it from this (frozen) one.
        if (mine !== abort) return;
        release = undefined;
        host.follow(last[0], last[1]);
        request();
      });
  };
  const tick = (): void => {
    timer = env.setTimeout(tick, BEAT_MS);
    if (release) post({ k: "s", s: last[0], r: last[1] });
    else if (env.now() - heard > SILENT_MS && env.isVisible()) request(true);
  };

  return {
    join() {
      if (release) return host.lead();
      if (channel) return;
      channel = open();
      host.follow("connecting", "start");
      request();
      tick();
    },
    leave() {
      abort?.abort();
      release?.();
      channel?.close();
      env.clearTimeout(timer);
      abort = release = channel = undefined;
    },
    deliver(n, d, i) {
      if (!fresh(i)) return;
      host.receive(n, d, i);
      if (n !== SSE_EVENTS.heartbeat) post({ k: "m", n, d, i });
    },
    changed() {
      host.changed();
      post({ k: "v" });
    },
    status(s, r) {
      last = [s, r];
      if (release) post({ k: "s", s, r });
    },
  };
};
