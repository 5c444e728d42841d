import { PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import type { Redis, RedisOptions } from "ioredis";
import { HubError } from "../errors.js";
import { keepFollowingMaster } from "./sentinel-revival.js";
import type { RedisBrokerOptions } from "./redis-options.js";
import { ioredisScript } from "./ioredis-script.js";
import { scriptPublisher } from "./script-publish.js";
import { redisTickets } from "./redis-tickets.js";
import type { Broker, BrokerListener } from "./types.js";
import { historyReads } from "./history-reads.js";
import { ioredisReads } from "./ioredis-stream.js";

export type { RedisBrokerOptions } from "./redis-options.js";
export { createRedisClient, type RedisClientOptions, type RedisSettings } from "./redis-client.js";
export { type ClusterBrokerOptions, ioredisClusterBroker } from "./ioredis-cluster.js";
export * from "./topology.js";

/** Client states in which Redis was lost: a publish is refused, never queued for later. */
const LOST = new Set(["reconnecting", "close", "end"]);

/**
 * Says what a failed publish means for the event. A command that timed out was already sent: Redis
 * may still run it (a stalled Redis, a slow network), so the outcome is unknown. A command refused
 * for want of a connection was never sent: the event was not published, and retrying is safe.
 */
function publishFailure(error: unknown): HubError {
  const message = String((error as Error)?.message ?? error);
  if (/timed out/i.test(message)) {
    return new HubError("broker_timeout", "Redis did not answer the publish in time: it was sent, so it may still be published; check the history before retrying", { cause: error });
  }
  if (/writeable|Connection is closed|MaxRetriesPerRequest/i.test(message)) {
    return new HubError("broker_error", `Redis is not connected: the event was not published; publish it again once Redis is back (${message})`, { cause: error });
  }
  return new HubError("broker_error", `the publish failed: ${message}`, { cause: error });
}

/** How long `close()` lets the subscriber say goodbye (`QUIT`) before it cuts the connection. */
const CLOSE_DEADLINE_MS = 1_000;

/**
 * Closes a connection within a deadline: `QUIT` when it is connected, cut after
 * {@link CLOSE_DEADLINE_MS} whatever Redis does; cut at once when it is not connected (a `QUIT`
 * queued behind a connection that never comes would wait forever).
 */
async function closeWithin(connection: Redis): Promise<void> {
  if (connection.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      connection.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_DEADLINE_MS);
      }),
    ]);
    clearTimeout(timer);
  }
  connection.disconnect();
}

/**
 * Options of a subscriber connection: it waits for Redis however long it is away (the app's client
 * fails fast): its own offline queue, no retry limit, and no command timeout inherited from the app's
 * client (a SUBSCRIBE that timed out while Redis is down would leave the hub unsubscribed for good).
 */
function subscriberOptions(extra: RedisOptions = {}): RedisOptions {
  const options: RedisOptions = { maxRetriesPerRequest: null, enableOfflineQueue: true, autoResendUnfulfilledCommands: true, ...extra };
  Object.assign(options, { commandTimeout: undefined });
  return options;
}

/** Closes a subscriber connection for good: within the deadline, then deaf to its last errors. */
async function closeSubscriber(connection: Redis): Promise<void> {
  connection.removeAllListeners("ready");
  connection.removeAllListeners("close");
  await closeWithin(connection);
  connection.removeAllListeners();
  connection.on("error", () => {});
}

/**
 * A {@link Broker} on an ioredis client: the production default.
 *
 * The app hands over its own client, ideally made by {@link createRedisClient} (commands: publish,
 * versions, history); the broker opens ONE
 * extra connection with `client.duplicate()` for the subscription, resubscribes it itself after every
 * reconnection and only then reports it ready, so the hub's gap recovery never races the subscribe.
 * `subscribePattern()` (the `laravel` hub option) opens one more, resubscribed by ioredis itself.
 * `close()` closes those connections within a second whatever Redis does, never the app's client.
 * A Sentinel client and its duplicates are kept following the master where ioredis would give up
 * after a failover (see `keepFollowingMaster`).
 *
 * A publish is never queued behind a lost connection: while the client is reconnecting it fails at once with
 * `broker_error` ("not published") instead of waiting in ioredis's offline queue, from which it could
 * be delivered after the caller was told it failed.
 *
 * @param client - the app's ioredis `Redis` client
 * @param options - key prefix, channel, history length
 * @example
 * ```ts
 * import { createRedisClient, ioredisBroker } from "@realtime-bookings/server/ioredis";
 * const broker = ioredisBroker(createRedisClient({ url: process.env.REDIS_URL }));
 * ```
 */
export function ioredisBroker(client: Redis, options: RedisBrokerOptions = {}): Broker {
  keepFollowingMaster(client);
  const keys = redisKeys(options);
  let subscriber: Redis | undefined;
  const patternSubscribers = new Set<Redis>();
  const publishing = scriptPublisher(ioredisScript(client, PUBLISH_SCRIPT, "single"), {
    keys,
    broker: options,
    failure: publishFailure,
    // Once Redis was lost, a command would wait in ioredis's offline queue (when the app's client has
    // one) and be sent after the caller was told it failed: refuse it now instead.
    before: () => {
      if (LOST.has(client.status)) {
        throw new HubError("broker_error", `Redis is not connected (${client.status}): the event was not published; publish it again once Redis is back`);
      }
    },
  });

  return {
    keys,
    kind: "ioredis",
    ...redisTickets(([command, ...args]) => client.call(command as string, ...args)),
    ...publishing,
    async subscribe(listener: BrokerListener) {
      if (subscriber) throw new HubError("invalid_options", "a broker has one subscription; create one broker per hub");
      // This one resubscribes itself (below), so that it reports ready only once Redis confirmed it.
      const sub = keepFollowingMaster(client.duplicate(subscriberOptions({ autoResubscribe: false })));
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
    async subscribePattern(pattern, onMessage) {
      // A connection of its own, resubscribed by ioredis after every reconnection (`autoResubscribe`).
      const sub = keepFollowingMaster(client.duplicate(subscriberOptions()));
      patternSubscribers.add(sub);
      // Outages of this Redis are reported by the main subscription; this one only has to come back.
      sub.on("error", () => {});
      sub.on("pmessage", (matched: string, channel: string, message: string) => {
        if (matched === pattern) onMessage(channel, message);
      });
      try {
        await sub.psubscribe(pattern);
      } catch (error) {
        patternSubscribers.delete(sub);
        sub.disconnect();
        throw error;
      }
      return async () => {
        if (patternSubscribers.delete(sub)) await closeSubscriber(sub);
      };
    },
    ...historyReads(ioredisReads(client), keys),
    async close() {
      const open = [...patternSubscribers, ...(subscriber ? [subscriber] : [])];
      patternSubscribers.clear();
      subscriber = undefined;
      await Promise.all(open.map(closeSubscriber));
    },
  };
}
