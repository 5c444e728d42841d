import { PUBLISH_SCRIPT, redisKeys } from "@realtime-bookings/protocol";
import { HubError } from "../errors.js";
import type { RedisBrokerOptions } from "./redis-options.js";
import { type ScriptOptions, nodeRedisScript } from "./node-redis-script.js";
import { scriptPublisher } from "./script-publish.js";
import { redisTickets } from "./redis-tickets.js";
import type { Broker, BrokerListener } from "./types.js";
import { historyReads } from "./history-reads.js";
import { type StreamEntries, nodeRedisReads } from "./node-redis-stream.js";

/** How long `close()` lets the subscriber say goodbye (`QUIT`) before it cuts the connection. */
const CLOSE_DEADLINE_MS = 1_000;

/**
 * Closes a subscriber connection for good: `QUIT` within {@link CLOSE_DEADLINE_MS}, then cut. A QUIT
 * queued behind a connection that never comes, or sent to a Redis that stopped answering, would
 * otherwise wait forever and hang the shutdown.
 */
async function closeSubscriber(sub: NodeRedisSubscriber): Promise<void> {
  sub.removeAllListeners("ready");
  sub.removeAllListeners("end");
  sub.removeAllListeners("reconnecting");
  let timer: NodeJS.Timeout | undefined;
  const quitInTime = await Promise.race([
    sub.quit().then(
      () => true,
      () => false,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CLOSE_DEADLINE_MS);
    }),
  ]);
  clearTimeout(timer);
  if (!quitInTime) {
    try {
      sub.destroy();
    } catch {
      // already closed
    }
  }
  sub.removeAllListeners("error");
  sub.on("error", () => {});
}

/**
 * The subscriber connection `duplicate()` returns: the part of a node-redis client the broker uses.
 */
export interface NodeRedisSubscriber {
  connect(): Promise<unknown>;
  subscribe(channel: string, listener: (message: string) => void): Promise<unknown>;
  /** Pattern subscriptions (`subscribePattern`); a client without it cannot serve the `laravel` option. */
  pSubscribe?(pattern: string, listener: (message: string, channel: string) => void): Promise<unknown>;
  on(event: "error" | "end" | "ready" | "reconnecting", listener: (error?: unknown) => void): unknown;
  removeAllListeners(event?: string): unknown;
  quit(): Promise<unknown>;
  destroy(): unknown;
}

/**
 * The node-redis client this adapter takes, described by the methods it calls: what `createClient()`
 * of `redis` v4.6+ and v5 returns, with or without modules.
 */
export interface NodeRedisClient {
  evalSha(sha1: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
  xRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<StreamEntries>;
  xRevRange(key: string, start: string, end: string, options: { COUNT: number }): Promise<StreamEntries>;
  get(key: string): Promise<string | null>;
  ping(): Promise<unknown>;
  duplicate(): NodeRedisSubscriber;
  /** A raw command (`["SET", …]`): stream tickets use it; a client without it serves no `/ticket`. */
  sendCommand?(args: string[]): Promise<unknown>;
}

/**
 * A {@link Broker} on a node-redis (`redis` v4.6+/v5) client.
 *
 * The app hands over its own connected client; the broker opens one extra connection with
 * `client.duplicate()` for the subscription. node-redis resubscribes before it reports `ready`, so the
 * broker reports ready on every `ready` after the first. `subscribePattern()` (the `laravel` hub
 * option) opens one more. `close()` closes only those extra connections, within a second whatever
 * Redis does.
 *
 * @param client - the app's connected node-redis client
 * @param options - key prefix, channel, history length
 * @example
 * ```ts
 * import { createClient } from "redis";
 * import { nodeRedisBroker } from "@realtime-bookings/server/node-redis";
 * const client = await createClient({ url: process.env.REDIS_URL }).connect();
 * const broker = nodeRedisBroker(client);
 * ```
 */
export function nodeRedisBroker(client: NodeRedisClient, options: RedisBrokerOptions = {}): Broker {
  const keys = redisKeys(options);
  let subscriber: NodeRedisSubscriber | undefined;
  const patternSubscribers = new Set<NodeRedisSubscriber>();


  return {
    keys,
    kind: "node-redis",
    ...(client.sendCommand && redisTickets((args) => (client.sendCommand as (a: string[]) => Promise<unknown>).call(client, [...args]))),
    ...scriptPublisher(nodeRedisScript(client, PUBLISH_SCRIPT), { keys, broker: options }),
    async subscribe(listener: BrokerListener) {
      if (subscriber) throw new HubError("invalid_options", "a broker has one subscription; create one broker per hub");
      const sub = client.duplicate();
      subscriber = sub;
      let initialDone = false;
      sub.on("error", (error: unknown) => listener.onDown(error));
      sub.on("end", () => listener.onDown());
      sub.on("reconnecting", () => listener.onDown());
      sub.on("ready", () => {
        if (initialDone) listener.onReady();
      });
      await sub.connect();
      await sub.subscribe(keys.channel, (message: string) => listener.onMessage(message));
      initialDone = true;
      listener.onReady();
    },
    async subscribePattern(pattern, onMessage) {
      // A connection of its own; node-redis subscribes it again after every reconnection.
      const sub = client.duplicate();
      patternSubscribers.add(sub);
      // Outages of this Redis are reported by the main subscription; this one only has to come back.
      sub.on("error", () => {});
      try {
        await sub.connect();
        if (!sub.pSubscribe) throw new HubError("invalid_options", "this node-redis client cannot subscribe to patterns (PSUBSCRIBE)");
        await sub.pSubscribe(pattern, (message: string, channel: string) => onMessage(channel, message));
      } catch (error) {
        patternSubscribers.delete(sub);
        await closeSubscriber(sub);
        throw error;
      }
      return async () => {
        if (patternSubscribers.delete(sub)) await closeSubscriber(sub);
      };
    },
    ...historyReads(nodeRedisReads(client, () => client.ping()), keys),
    async close() {
      const open = [...patternSubscribers, ...(subscriber ? [subscriber] : [])];
      patternSubscribers.clear();
      subscriber = undefined;
      await Promise.all(open.map(closeSubscriber));
    },
  };
}
