import type { Redis } from "ioredis";

/** Marks a client already kept alive, so wrapping twice is harmless. */
const KEPT = Symbol.for("realtime-bookings.followsMaster");

/** Delays before a new `connect()` after an end nobody asked for (the last repeats), jittered. */
const DELAYS_MS = [50, 100, 250, 500, 1_000] as const;

/**
 * Keeps an ioredis Sentinel client following the master after a failover. ioredis (5.x) ends such a
 * client for good when a sentinel's `+switch-master` arrives while it is reconnecting: its failover
 * detector closes the connector in the middle of the connect, which then throws "Connection is closed."
 * and the client goes to `end` without retrying. A hub on that client would never deliver again. Here,
 * an `end` the app did not ask for (it called neither `disconnect()` nor `quit()`) is followed by a new
 * `connect()` after a short, growing, jittered delay; a subscriber comes back through its `ready`.
 * Clients not in Sentinel mode are returned untouched.
 *
 * @param client - an ioredis client, used as it is
 * @returns the same client
 * @internal
 */
export function keepFollowingMaster<T extends Redis>(client: T): T {
  const marked = client as T & { [KEPT]?: true };
  if (!client.options.sentinels?.length || marked[KEPT]) return client;
  marked[KEPT] = true;
  let closedByApp = false;
  let attempt = 0;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect?: boolean) => {
    if (!reconnect) closedByApp = true;
    disconnect(reconnect);
  };
  const quit = client.quit.bind(client);
  client.quit = ((...args: Parameters<Redis["quit"]>) => {
    closedByApp = true;
    return quit(...args);
  }) as Redis["quit"];
  client.on("ready", () => {
    attempt = 0;
  });
  client.on("end", () => {
    if (closedByApp) return;
    const delay = (DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)] as number) * (0.5 + Math.random() / 2);
    attempt += 1;
    setTimeout(() => {
      if (!closedByApp && client.status === "end") client.connect().catch(() => {});
    }, delay).unref?.();
  });
  return client;
}
