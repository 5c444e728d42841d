import { randomUUID } from "node:crypto";
import { type NodeRedisClient, type NodeRedisSubscriber, nodeRedisBroker } from "./node-redis-broker.js";
import type { RedisBrokerOptions } from "./redis-options.js";
import type { Broker } from "./types.js";

/** A channel message handler: the raw message text. */
export type SentinelMessageListener = (message: string) => void;

/**
 * The node-redis Sentinel client this adapter takes, described by the methods it calls: what
 * `createSentinel()` of `redis` v5 returns (connected).
 */
export interface NodeRedisSentinelClient {
  evalSha: NodeRedisClient["evalSha"];
  eval: NodeRedisClient["eval"];
  xRange: NodeRedisClient["xRange"];
  xRevRange: NodeRedisClient["xRevRange"];
  get: NodeRedisClient["get"];
  ping(): Promise<unknown>;
  /** A raw command on the master (`isReadonly` false): stream tickets use it. */
  sendCommand(isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  subscribe(channel: string, listener: SentinelMessageListener): Promise<unknown>;
  /** Takes the listener given to `subscribe` (node-redis types it for buffers too). */
  unsubscribe(channel: string, listener: (message: string | Buffer) => void): Promise<unknown>;
  on(event: "topology-change", listener: (event: { type: string }) => void): unknown;
  off(event: "topology-change", listener: (event: { type: string }) => void): unknown;
}

/** Delays between attempts to restore the subscription after a master change (the last repeats). */
const RESTORE_DELAYS_MS = [100, 250, 500, 1_000] as const;

/**
 * The subscription of a node-redis Sentinel client, shaped as the subscriber connection
 * `nodeRedisBroker` expects. The Sentinel client moves its pub/sub connection to the new master after
 * a failover but says nothing when that is done, and it drops its subscriptions if the new connection
 * fails. So on `MASTER_CHANGE` this reports the broker down, subscribes the listener again (a no-op
 * when the client kept it, a real `SUBSCRIBE` when it lost it), then makes one real round trip on the
 * pub/sub connection (a `SUBSCRIBE`/`UNSUBSCRIBE` of a probe channel of its own), retrying until both
 * succeed; only then does it report ready (the hub then reads back from the history what it missed).
 */
function sentinelSubscriber(sentinel: NodeRedisSentinelClient): NodeRedisSubscriber {
  const handlers = new Map<string, Array<(error?: unknown) => void>>();
  const emit = (event: string, error?: unknown): void => handlers.get(event)?.forEach((h) => h(error));
  let subscribed: { channel: string; listener: SentinelMessageListener } | undefined;
  let generation = 0;
  const probe = (): void => {};
  const restore = async (mine: number): Promise<void> => {
    for (let attempt = 0; mine === generation && subscribed; attempt++) {
      const { channel, listener } = subscribed;
      const probeChannel = `${channel}:probe:${randomUUID()}`;
      try {
        await sentinel.subscribe(channel, listener);
        await sentinel.subscribe(probeChannel, probe);
        await sentinel.unsubscribe(probeChannel, probe);
        if (mine === generation && subscribed) emit("ready");
        return;
      } catch (error) {
        emit("error", error);
        await new Promise((resolve) => setTimeout(resolve, RESTORE_DELAYS_MS[Math.min(attempt, RESTORE_DELAYS_MS.length - 1)]));
      }
    }
  };
  const onTopology = (event: { type: string }): void => {
    if (event.type !== "MASTER_CHANGE" || !subscribed) return;
    emit("reconnecting");
    void restore(++generation);
  };
  return {
    async connect() {
      sentinel.on("topology-change", onTopology);
    },
    async subscribe(channel, listener) {
      await sentinel.subscribe(channel, listener);
      subscribed = { channel, listener };
    },
    on(event, listener) {
      handlers.set(event, [...(handlers.get(event) ?? []), listener]);
    },
    removeAllListeners(event) {
      if (event === undefined) handlers.clear();
      else handlers.delete(event);
    },
    async quit() {
      sentinel.off("topology-change", onTopology);
      generation += 1;
      const current = subscribed;
      subscribed = undefined;
      // The listener only ever receives strings (no buffer mode), so it is the one node-redis stored.
      if (current) await sentinel.unsubscribe(current.channel, current.listener as (message: string | Buffer) => void);
    },
    destroy() {
      sentinel.off("topology-change", onTopology);
      generation += 1;
      subscribed = undefined;
    },
  };
}

/**
 * A {@link Broker} on a node-redis (`redis` v5) Sentinel client (`createSentinel`): the node-redis
 * broker, with its subscription on the Sentinel client's own pub/sub connection, which follows the
 * master. Key names and the publish script are the single-node ones. `close()` unsubscribes; the
 * app's Sentinel client stays open.
 *
 * @param sentinel - the app's connected node-redis Sentinel client
 * @param options - key prefix, channel, history length
 * @example
 * ```ts
 * import { createSentinel } from "redis";
 * import { nodeRedisSentinelBroker } from "@realtime-bookings/server/node-redis";
 * const sentinel = await createSentinel({ name: "bookings", sentinelRootNodes: [{ host: "10.0.0.1", port: 26379 }] }).connect();
 * const broker = nodeRedisSentinelBroker(sentinel);
 * ```
 */
export function nodeRedisSentinelBroker(sentinel: NodeRedisSentinelClient, options: RedisBrokerOptions = {}): Broker {
  const client: NodeRedisClient = {
    evalSha: (sha, o) => sentinel.evalSha(sha, o),
    eval: (script, o) => sentinel.eval(script, o),
    xRange: (key, start, end, o) => sentinel.xRange(key, start, end, o),
    xRevRange: (key, start, end, o) => sentinel.xRevRange(key, start, end, o),
    get: (key) => sentinel.get(key),
    ping: () => sentinel.ping(),
    sendCommand: (args) => sentinel.sendCommand(false, args),
    duplicate: () => sentinelSubscriber(sentinel),
  };
  const broker = nodeRedisBroker(client, options);
  return { ...broker, kind: "node-redis-sentinel" };
}
