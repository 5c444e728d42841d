import type { OptionSpec } from "./spec.js";

/** The options that name a Redis Sentinel set or a Redis Cluster, shared by `serve` and `publish`. @internal */
export const TOPOLOGY_OPTIONS = {
    sentinel: {
      group: "Broker",
      value: "<host:port,...>",
      env: "REDIS_SENTINELS",
      help: "Redis Sentinel addresses, instead of --redis: the hub follows the master through failovers (needs --sentinel-master)",
    },
    "sentinel-master": { group: "Broker", value: "<name>", env: "REDIS_SENTINEL_MASTER", help: "the master's name as the sentinels know it" },
    "sentinel-password": { group: "Broker", value: "<password>", env: "REDIS_SENTINEL_PASSWORD", help: "the sentinels' own password, if they have one" },
    cluster: {
      group: "Broker",
      value: "<host:port,...>",
      env: "REDIS_CLUSTER_NODES",
      help: "Redis Cluster seed nodes, instead of --redis: keys and channel share the prefix as hash tag, sharded pub/sub",
      docs: "Redis Cluster seed nodes, instead of `--redis`: every key and the channel are named with the prefix as their one hash tag (`{bookings}:history`), the publish script uses `SPUBLISH` and the hub `SSUBSCRIBE`s on the slot's node, following failovers and slot moves. Give the prefix without braces.",
    },
} as const satisfies Record<string, OptionSpec>;
