import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "./binaries.js";
import { freePort } from "./ports.js";
import { startDataNode } from "./redis-data-node.js";
import { type RedisProcess, redisCli, spawnRedisProcess, waitUntil } from "./redis-process.js";

/** A master, two replicas and three sentinels on loopback, started by {@link startSentinelSet}. */
export interface SentinelSet {
  /** The master name the sentinels monitor (`mymaster`). */
  readonly name: string;
  /** The sentinels' addresses, for `createRedisClient({ sentinels, name })`. */
  readonly sentinels: ReadonlyArray<{ readonly host: string; readonly port: number }>;
  /** The port of the master the sentinels name now. */
  masterPort(): Promise<number>;
  /** SIGKILLs the current master (a crash); resolves with its port once it has exited. */
  killMaster(): Promise<number>;
  /** Waits until the sentinels name a master other than `oldPort` (at most 30 s). */
  waitForNewMaster(oldPort: number): Promise<number>;
  /** Waits until every live replica of the current master is in sync with it (offsets equal). */
  waitForSync(): Promise<void>;
  /** A planned failover (`SENTINEL FAILOVER`); resolves with the new master's port once announced. */
  failover(): Promise<number>;
  /** Runs `redis-cli` on the current master. */
  cli(...args: string[]): Promise<string>;
  /** Kills every process of the set. */
  stop(): Promise<void>;
}

/** Whether redis-sentinel is available (fails the run in CI when it is not). */
export const hasRedisSentinel = (): boolean =>
  requireBinary("redis-server", "apt-get install redis-server") && requireBinary("redis-sentinel", "apt-get install redis-sentinel");

/** The value after `field` in a flat `redis-cli` field/value reply. */
const fieldOf = (reply: string, field: string): string | undefined => {
  const lines = reply.split("\n");
  const at = lines.indexOf(field);
  return at >= 0 ? lines[at + 1] : undefined;
};

async function startSentinel(masterPort: number, name: string): Promise<RedisProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), `rb-sentinel-${port}-`));
    const file = join(dir, "sentinel.conf"); // sentinels rewrite their config: one writable file each
    writeFileSync(
      file,
      [
        `port ${port}`, "bind 127.0.0.1", "protected-mode no", `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 2`, "",
      ].join("\n"),
    );
    try {
      return await spawnRedisProcess("redis-sentinel", [file], port, /\+monitor master/);
    } catch (error) {
      lastError = error;
    }
  }
  throw new Error(`could not start redis-sentinel after 5 attempts: ${String(lastError)}`);
}

/**
 * Starts 1 master + 2 replicas (`--replicaof`) + 3 sentinels (quorum 2, `down-after-milliseconds`
 * 1000, `failover-timeout` 5000) on free loopback ports, and resolves once every sentinel sees both
 * replicas and the two other sentinels. Call `stop()` in `afterAll` (the processes are also killed
 * when the test process exits).
 *
 * @param name - the master name @defaultValue `"mymaster"`
 */
export async function startSentinelSet(name = "mymaster"): Promise<SentinelSet> {
  const nodes: RedisProcess[] = [];
  const sentinels: RedisProcess[] = [];
  const stop = async () => {
    await Promise.all([...sentinels, ...nodes].map((p) => p.kill()));
  };
  try {
    const master = await startDataNode(() => []);
    nodes.push(master);
    for (let i = 0; i < 2; i++) nodes.push(await startDataNode(() => ["--replicaof", "127.0.0.1", String(master.port)]));
    for (let i = 0; i < 3; i++) sentinels.push(await startSentinel(master.port, name));
    await waitUntil("three sentinels that see two replicas and each other", async () => {
      const replies = await Promise.all(sentinels.map((s) => redisCli(s.port, "SENTINEL", "MASTER", name)));
      return replies.every((r) => fieldOf(r, "num-slaves") === "2" && fieldOf(r, "num-other-sentinels") === "2");
    }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const liveSentinel = () => sentinels.find((s) => s.alive) as RedisProcess;
  const masterPort = async () => Number((await redisCli(liveSentinel().port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)).split("\n")[1]);
  const waitForNewMaster = async (oldPort: number) => {
    let port = oldPort;
    await waitUntil(`a master other than ${oldPort}`, async () => {
      port = await masterPort();
      return port !== oldPort && (await redisCli(port, "ROLE")).startsWith("master");
    }, 30_000);
    return port;
  };
  return {
    name,
    sentinels: sentinels.map((s) => ({ host: "127.0.0.1", port: s.port })),
    masterPort,
    waitForNewMaster,
    async killMaster() {
      const port = await masterPort();
      await nodes.find((n) => n.port === port)?.kill("SIGKILL");
      return port;
    },
    async waitForSync() {
      await waitUntil("replicas in sync with the master", async () => {
        const info = await redisCli(await masterPort(), "INFO", "replication");
        const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
        const replicas = [...info.matchAll(/slave\d+:.*offset=(\d+)/g)].map((m) => m[1]);
        return replicas.length > 0 && replicas.every((o) => o === offset);
      }, 10_000);
    },
    async failover() {
      const old = await masterPort();
      const reply = await redisCli(liveSentinel().port, "SENTINEL", "FAILOVER", name);
      if (reply !== "OK") throw new Error(`SENTINEL FAILOVER said ${reply}`);
      return waitForNewMaster(old);
    },
    async cli(...args) {
      return redisCli(await masterPort(), ...args);
    },
    stop,
  };
}
