import { type EventId, PUBLISH_SCRIPT, parseEventId, redisKeys } from "@realtime-bookings/protocol";
import type { Redis } from "ioredis";
import { HubError } from "../errors.js";
import { historyPage } from "./history-page.js";
import { PUBLISH_SCRIPT_SHA, type RedisBrokerOptions, historyLengthOf, isNoScript, toVersion } from "./redis-options.js";
import { type StreamReply, entriesOf } from "./ioredis-stream.js";
import type { Broker, BrokerListener } from "./types.js";

export type { RedisBrokerOptions } from "./redis-options.js";
export { createRedisClient, type RedisSettings } from "./redis-client.js";
export { type ClusterBrokerOptions, ioredisClusterBroker } from "./ioredis-cluster.js";
export * from "./topology.js";

/**
 * A {@link Broker} on an ioredis client: the production default.
 *
 * The app hands over its own client (commands: publish, versions, history); the broker opens ONE
 * extra connection with `client.duplicate()` for the subscription, resubscribes it itself after every
 * reconnection and only then reports it ready, so the hub's gap recovery never races the subscribe.
 * `close()` closes that extra connection, never the app's client.
 *
 * @param client - the app's ioredis `Redis` client
 * @param options - key prefix, channel, history length
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { ioredisBroker } from "@realtime-bookings/server/ioredis";
 * const broker = ioredisBroker(new Redis(process.env.REDIS_URL!));
 * ```
 */
export function ioredisBroker(client: Redis, options: RedisBrokerOptions = {}): Broker {
  const keys = redisKeys(options);
  const historyLength = String(historyLengthOf(options));
  let subscriber: Redis | undefined;

  const evalPublish = async (args: string[], numKeys: number): Promise<unknown> => {
    try {
      return await client.evalsha(PUBLISH_SCRIPT_SHA, numKeys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.eval(PUBLISH_SCRIPT, numKeys, ...args);
    }
  };

  return {
    keys,
    kind: "ioredis",
    async publish(eventJson, versionKeys) {
      const reply = await evalPublish([keys.history, ...versionKeys, keys.channel, historyLength, eventJson], versionKeys.length + 1);
      const id = parseEventId(reply);
      if (!id) throw new HubError("broker_error", `the publish script returned ${String(reply)}, not a history id`);
      return id;
    },
    async subscribe(listener: BrokerListener) {
      if (subscriber) throw new HubError("invalid_options", "a broker has one subscription; create one broker per hub");
      // The subscriber waits for Redis however long it is away (the app's client may fail fast).
      const sub = client.duplicate({ autoResubscribe: false, maxRetriesPerRequest: null, enableOfflineQueue: true });
      subscriber = sub;
      let initialDone = false;
      sub.on("message", (channel: string, message: string) => {
        if (channel === keys.channel) listener.onMessage(message);
      });
      sub.on("error", (error: unknown) => listener.onDown(error));
      sub.on("close", () => listener.onDown());
      sub.on("ready", () => {
        if (!initialDone) return;
        // A reconnection: subscribe again ourselves and report ready only once Redis confirmed it.
        sub.subscribe(keys.channel).then(
          () => listener.onReady(),
          (error: unknown) => listener.onDown(error),
        );
      });
      await sub.subscribe(keys.channel);
      initialDone = true;
      listener.onReady();
    },
    async readVersion(key) {
      return toVersion(await client.get(key));
    },
    async readHistory(after, limit) {
      const [range, oldest] = await Promise.all([
        client.xrange(keys.history, `(${after}`, "+", "COUNT", limit + 1) as Promise<StreamReply>,
        client.xrange(keys.history, "-", "+", "COUNT", 1) as Promise<StreamReply>,
      ]);
      return historyPage(after, entriesOf(range), parseEventId(oldest[0]?.[0]), limit);
    },
    async newestId(): Promise<EventId | undefined> {
      const newest = (await client.xrevrange(keys.history, "+", "-", "COUNT", 1)) as StreamReply;
      return parseEventId(newest[0]?.[0]);
    },
    async ping() {
      await client.ping();
    },
    async close() {
      const sub = subscriber;
      subscriber = undefined;
      if (!sub) return;
      sub.removeAllListeners("ready");
      sub.removeAllListeners("close");
      await sub.quit().catch(() => sub.disconnect());
      sub.removeAllListeners();
      sub.on("error", () => {});
    },
  };
}
