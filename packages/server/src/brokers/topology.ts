import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import { keepFollowingMaster } from "./sentinel-revival.js";
import { HubError } from "../errors.js";

/** One `host:port` address of a sentinel or a cluster node. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** Settings shared by the Sentinel and Cluster clients. */
interface CommonSettings {
  /**
   * Seconds a connection attempt and a command may take.
   * @defaultValue 2.0
   */
  readonly timeout?: number;
  /** The data nodes' password; `null` or absent for none. */
  readonly password?: string | null;
  /** The data nodes' ACL user name (Redis 6+). */
  readonly username?: string;
}

/**
 * How to reach a Redis master through Redis Sentinel: the sentinels' addresses and the master's name.
 * The client asks the sentinels for the master, and again after every failover.
 */
export interface SentinelSettings extends CommonSettings {
  /** At least one sentinel; give them all, so one down sentinel does not matter. */
  readonly sentinels: readonly RedisAddress[];
  /** The master name the sentinels monitor (`sentinel monitor <name> …`). */
  readonly name: string;
  /** The sentinels' own password (`requirepass` in sentinel.conf), if any. */
  readonly sentinelPassword?: string;
  /** @defaultValue 0 */
  readonly database?: number;
}

/** How to reach a Redis Cluster: a few seed nodes; the client discovers the rest. */
export interface ClusterSettings extends CommonSettings {
  /** At least one node of the cluster. */
  readonly nodes: readonly RedisAddress[];
}

const timeoutOf = (seconds: number | undefined): number => {
  const ms = Math.round((seconds ?? 2) * 1000);
  if (!(ms >= 1 && ms <= 600_000)) throw new HubError("invalid_options", "timeout must be between 0.001 and 600 seconds");
  return ms;
};

const backoff = (attempt: number): number => Math.min(100 * 2 ** Math.min(attempt, 6), 5_000) * (0.5 + Math.random() / 2);

function checkAddresses(list: readonly RedisAddress[], what: string): void {
  if (list.length === 0) throw new HubError("invalid_options", `give at least one ${what} address (host and port)`);
  for (const { host, port } of list) {
    if (typeof host !== "string" || host === "") throw new HubError("invalid_options", `a ${what} address needs a host`);
    if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new HubError("invalid_options", `${what} port must be 1-65535, got ${String(port)}`);
  }
}

/**
 * Parses a comma-separated `host:port,host:port` list, as the CLI's `--sentinel` and `--cluster`
 * flags and the `REDIS_SENTINELS` / `REDIS_CLUSTER_NODES` variables take it. IPv6 hosts go in
 * brackets: `[::1]:26379`.
 *
 * @param list - the text, e.g. `127.0.0.1:26379,127.0.0.1:26380`
 * @param what - what the addresses are, for the error message (e.g. `--sentinel`)
 * @throws `HubError` `invalid_options` naming the entry that is not `host:port`
 * @example
 * ```ts
 * parseAddressList("127.0.0.1:26379,127.0.0.1:26380", "--sentinel"); // [{ host: "127.0.0.1", port: 26379 }, …]
 * ```
 */
export function parseAddressList(list: string, what: string): RedisAddress[] {
  const entries = list.split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new HubError("invalid_options", `${what} needs host:port[,host:port…]`);
  return entries.map((entry) => {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || !(port > 0 && port < 65536)) throw new HubError("invalid_options", `${what}: ${JSON.stringify(entry)} is not host:port`);
    return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
  });
}

/**
 * Creates an ioredis client that follows the master of a Sentinel set: it asks the sentinels where the
 * master is, and after a failover (the master unreachable, or the sentinels' `+switch-master`, which
 * `failoverDetector` listens to) it reconnects to the new one. Timeouts and retries are bounded as in
 * `createRedisClient`; an `error` listener is attached. Pass it to `ioredisBroker`: the broker's
 * subscriber (a `duplicate()`) follows the master too, resubscribes, and the hub reads back from the
 * history what it missed meanwhile.
 *
 * An unknown master name shows up as failing commands; call {@link checkSentinelMaster} at start-up
 * for a clear error instead.
 *
 * @param settings - see {@link SentinelSettings}
 * @throws `HubError` `invalid_options` for no sentinel, a bad port, an empty name or a bad timeout
 * @example
 * ```ts
 * const client = createSentinelClient({ sentinels: [{ host: "10.0.0.1", port: 26379 }], name: "bookings" });
 * const broker = ioredisBroker(client);
 * ```
 */
export function createSentinelClient(settings: SentinelSettings): Redis {
  checkAddresses(settings.sentinels, "sentinel");
  if (typeof settings.name !== "string" || settings.name === "") throw new HubError("invalid_options", "name (the master name the sentinels monitor) is required");
  if (settings.database !== undefined && !(Number.isInteger(settings.database) && settings.database >= 0)) {
    throw new HubError("invalid_options", `database must be a non-negative integer, got ${settings.database}`);
  }
  const ms = timeoutOf(settings.timeout);
  const options: RedisOptions = {
    sentinels: settings.sentinels.map(({ host, port }) => ({ host, port })),
    name: settings.name,
    role: "master",
    failoverDetector: true,
    connectTimeout: ms,
    commandTimeout: ms,
    sentinelCommandTimeout: ms,
    maxRetriesPerRequest: 1,
    // A failover takes seconds: reconnect (through the sentinels) at most 1 s apart, not 5.
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000) * (0.5 + Math.random() / 2),
    sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
    ...(settings.sentinelPassword === undefined ? {} : { sentinelPassword: settings.sentinelPassword }),
    ...(settings.password == null ? {} : { password: settings.password }),
    ...(settings.username === undefined ? {} : { username: settings.username }),
    ...(settings.database === undefined ? {} : { db: settings.database }),
  };
  const client = new Redis(options);
  client.on("error", () => {}); // reported through the hub's broker state and health, never thrown
  return keepFollowingMaster(client);
}

/**
 * Asks the sentinels, one after the other, where the master `name` is; resolves with its address.
 * Use it at start-up so a misspelt master name is a clear error, not a hub that never connects.
 *
 * @param settings - see {@link SentinelSettings}
 * @throws `HubError` `invalid_options` when the sentinels answer but know no master by that name (the
 *   message lists the names they know); `broker_error` when no sentinel answers
 */
export async function checkSentinelMaster(settings: SentinelSettings): Promise<RedisAddress> {
  checkAddresses(settings.sentinels, "sentinel");
  const ms = timeoutOf(settings.timeout);
  const known = new Set<string>();
  let answered = false;
  let lastError: unknown;
  for (const { host, port } of settings.sentinels) {
    const sentinel = new Redis({
      host, port, connectTimeout: ms, commandTimeout: ms, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true,
      ...(settings.sentinelPassword === undefined ? {} : { password: settings.sentinelPassword }),
    });
    sentinel.on("error", () => {});
    try {
      await sentinel.connect();
      const address = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", settings.name)) as [string, string] | null;
      answered = true;
      if (address) return { host: address[0], port: Number(address[1]) };
      const masters = (await sentinel.call("SENTINEL", "MASTERS")) as string[][];
      for (const fields of masters) known.add(String(fields[fields.indexOf("name") + 1]));
    } catch (error) {
      lastError = error;
    } finally {
      sentinel.disconnect();
    }
  }
  if (!answered) throw new HubError("broker_error", `no sentinel answered at ${settings.sentinels.map((s) => `${s.host}:${s.port}`).join(",")}`, { cause: lastError });
  const names = known.size > 0 ? `they monitor: ${[...known].join(", ")}` : "they monitor no master";
  throw new HubError("invalid_options", `the sentinels know no master named ${JSON.stringify(settings.name)}; ${names}`);
}

/**
 * Creates an ioredis `Cluster` for the Cluster brokers: sharded subscribers on (without them
 * `SSUBSCRIBE` lands on a random node and fails with `MOVED`), bounded timeouts and retries, slot
 * cache refreshed on every `MOVED`, and an `error` listener attached.
 *
 * @param settings - see {@link ClusterSettings}
 * @throws `HubError` `invalid_options` for no node, a bad port or a bad timeout
 * @example
 * ```ts
 * const cluster = createClusterClient({ nodes: [{ host: "10.0.0.1", port: 7000 }] });
 * const broker = ioredisClusterBroker(cluster);
 * ```
 */
export function createClusterClient(settings: ClusterSettings): Cluster {
  checkAddresses(settings.nodes, "cluster node");
  const ms = timeoutOf(settings.timeout);
  const options: ClusterOptions = {
    shardedSubscribers: true,
    clusterRetryStrategy: backoff,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: ms,
    redisOptions: {
      connectTimeout: ms,
      commandTimeout: ms,
      maxRetriesPerRequest: 1,
      ...(settings.password == null ? {} : { password: settings.password }),
      ...(settings.username === undefined ? {} : { username: settings.username }),
    },
  };
  const cluster = new Cluster(settings.nodes.map(({ host, port }) => ({ host, port })), options);
  cluster.on("error", () => {});
  return cluster;
}

/**
 * Whether the Redis a plain client talks to is a Cluster node (`INFO cluster` says `cluster_enabled:1`).
 * Use it at start-up: a Cluster node given as a single Redis answers most commands with `MOVED`, and a
 * single Redis given as a cluster never gets a slot map.
 *
 * @param client - a connected (or connecting) plain ioredis client
 * @param expected - what the caller was configured for
 * @throws `HubError` `invalid_options` naming the right option when the topology is not `expected`
 */
export async function checkClusterMode(client: Redis, expected: "single" | "cluster"): Promise<void> {
  const info = String(await client.info("cluster"));
  const enabled = /cluster_enabled:1/.test(info);
  if (expected === "single" && enabled) {
    throw new HubError("invalid_options", "this Redis is a Cluster node: give the nodes as a cluster (--cluster host:port,… / createClusterClient), not as a single Redis");
  }
  if (expected === "cluster" && !enabled) {
    throw new HubError("invalid_options", "this Redis has cluster support disabled: give it as a single Redis (--redis / createRedisClient), not as a cluster");
  }
}

/**
 * Checks that the seed nodes of {@link ClusterSettings} are Cluster nodes, asking the first that
 * answers. Use it at start-up, before {@link createClusterClient}.
 *
 * @param settings - see {@link ClusterSettings}
 * @throws `HubError` `invalid_options` when a seed is a single Redis; `broker_error` when none answers
 */
export async function checkClusterNodes(settings: ClusterSettings): Promise<void> {
  checkAddresses(settings.nodes, "cluster node");
  const ms = timeoutOf(settings.timeout);
  let lastError: unknown;
  for (const { host, port } of settings.nodes) {
    const node = new Redis({
      host, port, connectTimeout: ms, commandTimeout: ms, maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true,
      ...(settings.password == null ? {} : { password: settings.password }),
      ...(settings.username === undefined ? {} : { username: settings.username }),
    });
    node.on("error", () => {});
    try {
      await node.connect();
      return await checkClusterMode(node, "cluster");
    } catch (error) {
      if (error instanceof HubError) throw error;
      lastError = error;
    } finally {
      node.disconnect();
    }
  }
  throw new HubError("broker_error", `no cluster node answered at ${settings.nodes.map((n) => `${n.host}:${n.port}`).join(",")}`, { cause: lastError });
}
