import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { startDataNode } from "./redis-data-node.js";
import { type RedisProcess, redisCli, waitUntil } from "./redis-process.js";

/** One line of `CLUSTER NODES`. */
export interface ClusterNodeInfo {
  readonly id: string;
  readonly port: number;
  readonly master: boolean;
  readonly failed: boolean;
  /** The id of its master, for a replica. */
  readonly masterId: string | undefined;
  /** Slot ranges `[from, to]` it serves, for a master. */
  readonly slots: ReadonlyArray<readonly [number, number]>;
}

/** Six `--cluster-enabled` nodes made into 3 masters + 3 replicas by {@link startRedisCluster}. */
export interface RedisClusterSet {
  /** Every node's address (seed nodes for a cluster client). */
  readonly nodes: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** `CLUSTER NODES` as a live node sees it. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The port of the master serving `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** The port of a live replica of the master on `port`. */
  replicaOf(port: number): Promise<number>;
  /** SIGKILLs the node on `port` (a crash). */
  kill(port: number): Promise<void>;
  /** Waits until `key`'s slot is served by a live master other than `oldPort` (at most 30 s). */
  waitForNewMaster(key: string, oldPort: number): Promise<number>;
  /** Waits until every live replica has the same replication offset as its master. */
  waitForSync(port: number): Promise<void>;
  /** A planned failover: `CLUSTER FAILOVER` on a replica of `key`'s master; resolves with the new master's port. */
  failover(key: string): Promise<number>;
  /** Runs `redis-cli -c` (follows redirections) on a live node. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Parses `CLUSTER NODES`. @internal */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  return text.split("\n").filter(Boolean).map((line) => {
    const [id = "", address = "", flags = "", master = "-", , , , , ...slots] = line.split(" ");
    const port = Number(/:(\d+)@/.exec(address)?.[1]);
    const ranges = slots.filter((s) => /^\d/.test(s)).map((s) => {
      const [from, to] = s.split("-").map(Number);
      return [from as number, to ?? (from as number)] as const;
    });
    const flagList = flags.split(",");
    return { id, port, master: flagList.includes("master"), failed: flagList.includes("fail"), masterId: master === "-" ? undefined : master, slots: ranges };
  });
}

async function createCluster(ports: readonly number[]): Promise<void> {
  const args = ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "1", "--cluster-yes"];
  const cli = spawn("redis-cli", args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  cli.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  cli.stderr.setEncoding("utf8").on("data", (c: string) => (out += c));
  const timer = setTimeout(() => cli.kill("SIGKILL"), 30_000);
  const [code] = (await once(cli, "close")) as [number | null]; // "close": all of its output is read
  clearTimeout(timer);
  if (code !== 0 || !out.includes("All 16384 slots covered")) throw new Error(`redis-cli --cluster create failed: ${out}`);
}

/**
 * Starts six `redis-server --cluster-enabled yes` nodes on free loopback ports (an explicit
 * `--cluster-port` each, since port + 10000 can pass 65535; `cluster-node-timeout` 1000 ms), makes
 * them 3 masters + 3 replicas with `redis-cli --cluster create … --cluster-replicas 1`, and resolves
 * once every node reports `cluster_state:ok`. Call `stop()` in `afterAll`.
 */
export async function startRedisCluster(): Promise<RedisClusterSet> {
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((p) => p.kill()));
  };
  try {
    for (let i = 0; i < 6; i++) {
      nodes.push(
        await startDataNode(async (_port, dir) => [
          "--cluster-enabled", "yes", "--cluster-config-file", join(dir, "nodes.conf"),
          "--cluster-node-timeout", "1000", "--cluster-port", String(await freePort()),
        ]),
      );
    }
    await createCluster(nodes.map((n) => n.port));
    await waitUntil("cluster_state:ok on every node", async () => {
      const infos = await Promise.all(nodes.map((n) => redisCli(n.port, "CLUSTER", "INFO")));
      return infos.every((i) => i.includes("cluster_state:ok") && i.includes("cluster_known_nodes:6"));
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const live = () => nodes.find((n) => n.alive) as RedisProcess;
  const topology = async () => parseClusterNodes(await redisCli(live().port, "CLUSTER", "NODES"));
  const masterOf = async (key: string) => {
    const slot = Number(await redisCli(live().port, "CLUSTER", "KEYSLOT", key));
    const owner = (await topology()).find((n) => n.master && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!owner) throw new Error(`no live master serves slot ${slot}`);
    return owner.port;
  };
  const waitForNewMaster = async (key: string, oldPort: number) => {
    let port = oldPort;
    await waitUntil(`a new master for ${key}`, async () => {
      port = await masterOf(key);
      return port !== oldPort && (await redisCli(port, "ROLE")).startsWith("master");
    }, 30_000);
    return port;
  };
  const replicaOf = async (port: number) => {
    const all = await topology();
    const master = all.find((n) => n.port === port);
    const replica = all.find((n) => n.masterId === master?.id && !n.failed && nodes.some((p) => p.port === n.port && p.alive));
    if (!replica) throw new Error(`no live replica of ${port}`);
    return replica.port;
  };
  return {
    nodes: nodes.map((n) => ({ host: "127.0.0.1", port: n.port })),
    topology,
    masterOf,
    replicaOf,
    async kill(port) {
      await nodes.find((n) => n.port === port)?.kill("SIGKILL");
    },
    waitForNewMaster,
    async waitForSync(port) {
      await waitUntil(`replicas of ${port} in sync`, async () => {
        const info = await redisCli(port, "INFO", "replication");
        const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
        const replicas = [...info.matchAll(/slave\d+:.*offset=(\d+)/g)].map((m) => m[1]);
        return replicas.length > 0 && replicas.every((o) => o === offset);
      }, 10_000);
    },
    async failover(key) {
      const old = await masterOf(key);
      const replica = await replicaOf(old);
      const reply = await redisCli(replica, "CLUSTER", "FAILOVER");
      if (reply !== "OK") throw new Error(`CLUSTER FAILOVER said ${reply}`);
      return waitForNewMaster(key, old);
    },
    async cli(...args) {
      return redisCli(live().port, "-c", ...args);
    },
    stop,
  };
}
