import type { Broker } from "./types.js";

/** Sends one raw Redis command (`["SET", key, …]`) and resolves with its reply. @internal */
export type RawCommand = (args: readonly string[]) => Promise<unknown>;

/**
 * The two ticket operations of a Redis broker, in raw commands every client (ioredis, node-redis,
 * their Cluster and Sentinel forms) can send: one implementation for all adapters. `SET … GET`
 * needs Redis 6.2 or later.
 *
 * @param run - sends one command on the broker's command connection
 * @internal
 */
export function redisTickets(run: RawCommand): Required<Pick<Broker, "putTicket" | "takeTicket">> {
  return {
    async putTicket(key, value, ttlMs) {
      return (await run(["SET", key, value, "PX", String(ttlMs), "NX"])) === "OK";
    },
    async takeTicket(key, mark) {
      const previous = await run(["SET", key, mark, "XX", "KEEPTTL", "GET"]);
      return typeof previous === "string" ? previous : previous instanceof Uint8Array ? Buffer.from(previous).toString("utf8") : undefined;
    },
  };
}
