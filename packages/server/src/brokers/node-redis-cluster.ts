import { CLUSTER_PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import type { ClusterBrokerOptions } from "./cluster-options.js";
import { type ScriptOptions, nodeRedisScript } from "./node-redis-script.js";
import { scriptPublisher } from "./script-publish.js";
import { redisTickets } from "./redis-tickets.js";
import { type ShardConnection, type ShardConnector, type SlotsReply, shardedSubscription } from "./shard-subscriber.js";
import type { Broker } from "./types.js";
import { historyReads } from "./history-reads.js";
import { type StreamEntries, nodeRedisReads } from "./node-redis-stream.js";

export type { ClusterBrokerOptions } from "./cluster-options.js";

/** The subscription connection the broker makes with a node client's `duplicate()`. */
export interface NodeRedisShardSubscriber {
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  sSubscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  on(event: "error" | "end", listener: (error?: unknown) => void): unknown;
  destroy(): unknown;
}

/** A node client of a node-redis cluster: what the broker duplicates for the subscription. */
export interface NodeRedisNodeClient {
  readonly options?: { readonly socket?: object } | undefined;
  duplicate(overrides: { socket: object }): NodeRedisShardSubscriber;
}

/**
 * The node-redis cluster this adapter takes, described by the methods it calls: what `createCluster()`
 * of `redis` v5 returns (connected).
 */
export interface NodeRedisClusterClient {
  evalSha(sha1: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
  xRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<StreamEntries>;
  xRevRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<StreamEntries>;
  get(key: string): Promise<string | null>;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  readonly masters: ReadonlyArray<object>;
  nodeClient(node: never): Promise<NodeRedisNodeClient> | NodeRedisNodeClient;
  /**
   * node-redis' slot map. It refreshes itself on `MOVED`, not when a master dies: commands for the
   * dead master's slots would wait for it forever. The broker asks it to rediscover once the
   * subscription found the slot's new master.
   */
  readonly _slots?: { rediscover(startWith: never): Promise<unknown> };
}

function nodeRedisShards(cluster: NodeRedisClusterClient): ShardConnector {
  return {
    async moved() {
      const master = cluster.masters[0];
      if (!master || !cluster._slots) return;
      await cluster._slots.rediscover((await cluster.nodeClient(master as never)) as never);
    },
    async slots() {
      return (await cluster.sendCommand(undefined, true, ["CLUSTER", "SLOTS"])) as SlotsReply;
    },
    async open(host, port, channel, onMessage, onClose): Promise<ShardConnection> {
      const master = cluster.masters[0];
      if (!master) throw new Error("the cluster client knows no master yet");
      const template = await cluster.nodeClient(master as never);
      // Same options (credentials, TLS) as the cluster's nodes, another address, no reconnection of
      // its own: a lost connection means the caller looks the owner up again.
      const sub = template.duplicate({ socket: { ...template.options?.socket, host, port, reconnectStrategy: false } });
      sub.on("error", () => {});
      try {
        await sub.connect();
        await sub.sSubscribe(channel, onMessage);
      } catch (error) {
        sub.destroy();
        throw error;
      }
      let ended = false;
      const lost = (): void => {
        if (ended) return;
        ended = true;
        sub.destroy();
        onClose();
      };
      // Without reconnection, node-redis reports a lost connection as an error (and may not end).
      sub.on("error", lost);
      sub.on("end", lost);
      return {
        get alive() {
          return sub.isReady && !ended;
        },
        close: lost,
      };
    },
  };
}

/**
 * A {@link Broker} on a node-redis (`redis` v5) cluster client, for hubs on Redis Cluster: the same
 * names, script and sharded subscription as `ioredisClusterBroker`. The subscription is a duplicate of
 * a node client (same credentials and TLS) pointed at the master that serves the channel's slot; it
 * follows the slot through failovers and migrations and reports `onDown`/`onReady` around each move,
 * so the hub reads back from the history what it missed.
 *
 * @param cluster - the app's connected node-redis cluster (`await createCluster({ rootNodes }).connect()`)
 * @param options - key prefix (without braces: it becomes the hash tag), channel, history length
 * @throws `ProtocolError` `invalid_field` for a prefix holding `{`/`}` or a channel without the hash tag
 * @example
 * ```ts
 * import { createCluster } from "redis";
 * import { nodeRedisClusterBroker } from "@realtime-bookings/server/node-redis";
 * const cluster = await createCluster({ rootNodes: [{ url: "redis://10.0.0.1:7000" }] }).connect();
 * const broker = nodeRedisClusterBroker(cluster);
 * ```
 */
export function nodeRedisClusterBroker(cluster: NodeRedisClusterClient, options: ClusterBrokerOptions = {}): Broker {
  const keys = redisKeys({ ...options, cluster: true });
  const subscription = shardedSubscription(nodeRedisShards(cluster), keys.channel, options.ownerCheckMs);


  return {
    keys,
    kind: "node-redis-cluster",
    ...redisTickets((args) => cluster.sendCommand(args[1], false, [...args])),
    ...scriptPublisher(nodeRedisScript(cluster, CLUSTER_PUBLISH_SCRIPT), { keys, broker: options }),
    ...subscription,
    ...historyReads(nodeRedisReads(cluster, () => cluster.sendCommand(keys.history, true, ["PING"])), keys),
  };
}
