import { type Cluster, Redis } from "ioredis";
import { type ShardConnection, type ShardConnector, type SlotsReply, isClusterDisabled } from "./shard-subscriber.js";

/**
 * The {@link ShardConnector} of an ioredis `Cluster`: `CLUSTER SLOTS` from the first node that answers
 * (connected nodes first: the cluster connects the others lazily, on their first command), and a
 * plain ioredis connection with the cluster's `redisOptions` (credentials, TLS) for the subscription;
 * after a move, the cluster's slot cache is refreshed.
 *
 * @internal
 */
export function ioredisShards(cluster: Cluster): ShardConnector {
  // A Cluster pointed at a single Redis never gets a slot map: its last error says why.
  let lastClusterError: unknown;
  const onError = (error: unknown): void => {
    lastClusterError = (error as { lastNodeError?: unknown }).lastNodeError ?? error;
  };
  cluster.on("error", onError);
  return {
    dispose() {
      cluster.off("error", onError);
    },
    async moved() {
      // Route the hub's history reads to the new master before it is told the subscription is back.
      await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
    },
    async slots() {
      const nodes = cluster.nodes("all").sort((x, y) => Number(y.status === "ready") - Number(x.status === "ready"));
      let lastError: unknown;
      for (const node of nodes) {
        try {
          return (await node.call("CLUSTER", "SLOTS")) as SlotsReply;
        } catch (error) {
          if (isClusterDisabled(error)) throw error;
          lastError = error;
        }
      }
      if (isClusterDisabled(lastClusterError)) throw lastClusterError;
      throw lastError ?? new Error("the cluster client knows no node yet");
    },
    async open(host, port, channel, onMessage, onClose): Promise<ShardConnection> {
      const base = cluster.options.redisOptions ?? {};
      const sub = new Redis({
        ...base,
        host,
        port,
        lazyConnect: true,
        autoResubscribe: false,
        enableOfflineQueue: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null, // a lost connection means: look the owner up again
        connectTimeout: base.connectTimeout ?? 2_000,
      });
      sub.on("error", () => {});
      sub.on("smessage", (from: string, message: string) => {
        if (from === channel) onMessage(message);
      });
      try {
        await sub.connect();
        await sub.ssubscribe(channel); // MOVED when the slot moved on meanwhile: the caller looks again
      } catch (error) {
        sub.disconnect();
        throw error;
      }
      sub.once("close", onClose);
      return {
        get alive() {
          return sub.status === "ready";
        },
        close: () => sub.disconnect(),
      };
    },
  };
}
