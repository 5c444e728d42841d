import { redisKeys } from "@realtime-bookings/protocol";
import { type RedisServer, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubError, createBookingHub } from "../../src/index.js";
import { runCli } from "./support/cli.js";

const available = hasRedisServer();

/** What hub.publish says about the same event: the error every hub would drop it with. */
async function hubRefusal(data: Record<string, unknown>): Promise<string> {
  const hub = createBookingHub({ authenticate: () => null });
  try {
    await hub.publish({ type: "create", data: { ...data, id: 42, specialist_id: 3, workpoint_id: 1 } } as never);
    return "accepted";
  } catch (error) {
    return error instanceof HubError ? `${error.code}: ${error.message}` : String(error);
  } finally {
    await hub.close();
  }
}

const deep = (levels: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < levels; i++) value = { nested: value };
  return value;
};

describe.runIf(available)("realtime-bookings publish refuses what the hubs refuse", () => {
  let redis: RedisServer;
  let check: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    check = new Redis(redis.url);
  });
  afterAll(async () => {
    check?.disconnect();
    await redis?.stop();
  });

  const state = async (prefix: string) => {
    const keys = redisKeys({ prefix });
    return { history: await check.xlen(keys.history), versions: await check.mget(keys.globalVersion, `${prefix}:version:specialist:3`, `${prefix}:version:workpoint:1`) };
  };

  it.each([
    ["__proto__", '{"__proto__":{"role":"admin"}}'],
    ["a nested constructor key", '{"x":{"constructor":{"prototype":1}}}'],
    ["data nested too deep", JSON.stringify(deep(20))],
    ["data nested just past the hub's depth", JSON.stringify(deep(15))],
    ["an event larger than the hub takes", JSON.stringify({ note: "x".repeat(70_000) })],
  ])("%s: exits 2 with the hub's own error and publishes nothing", async (_, data) => {
    const prefix = `pv${Math.floor(Math.random() * 1e9)}`;
    const before = await state(prefix);
    const expected = await hubRefusal(JSON.parse(data) as Record<string, unknown>);
    expect(expected).toMatch(/^invalid_event: invalid booking event: /);
    const result = await runCli(["publish", "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1", "--data", data, "--key-prefix", prefix, "--redis", redis.url]);
    expect([result.code, result.stdout]).toEqual([2, ""]);
    expect(result.stderr).toContain(`realtime-bookings publish: ${expected.replace(/^invalid_event: /, "")}`);
    expect(await state(prefix)).toEqual(before);
  });

  it("publishes data the hub accepts (the same depth minus one, a size under the limit)", async () => {
    const prefix = `pv${Math.floor(Math.random() * 1e9)}`;
    const data = JSON.stringify({ ...deep(13), note: "x".repeat(60_000) });
    expect(await hubRefusal(JSON.parse(data) as Record<string, unknown>)).toMatch(/^accepted$|^broker/);
    const result = await runCli(["publish", "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1", "--data", data, "--key-prefix", prefix, "--redis", redis.url]);
    expect([result.code, result.stderr]).toEqual([0, ""]);
    expect((await state(prefix)).history).toBe(1);
  });
});

describe.runIf(available)("realtime-bookings publish against a Redis that does not answer", () => {
  let redis: RedisServer;
  let pid = 0;
  beforeAll(async () => {
    redis = await startRedisServer();
    pid = Number(/process_id:(\d+)/.exec(await redis.cli("INFO", "server"))?.[1]);
  });
  afterAll(async () => {
    if (pid) process.kill(pid, "SIGCONT");
    await redis?.stop();
  });

  it("a stalled Redis (SIGSTOP): exit 1 with one line saying it cannot reach Redis, within the run's deadline", async () => {
    process.kill(pid, "SIGSTOP");
    try {
      const result = await runCli(["publish", "--type", "create", "--id", "1", "--specialist", "3", "--workpoint", "1", "--redis", redis.url], { timeoutMs: 8_000 });
      expect([result.code, result.stdout, result.stderr.trim().split("\n").length]).toEqual([1, "", 1]);
      expect(result.stderr).toContain(`cannot reach Redis at ${redis.url}`);
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });
});
