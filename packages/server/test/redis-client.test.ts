import { redisKeys } from "@realtime-bookings/protocol";
import { type RedisServer, hasRedisServer, openSse, startRedisServer } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { type Server, type Socket, connect, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRedisClient, ioredisBroker } from "../src/brokers/ioredis.js";
import { startHubServer } from "./support/hub-server.js";

const available = hasRedisServer();
let redis: RedisServer;
beforeAll(async () => {
  if (available) redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

/**
 * A TCP proxy in front of Redis that can cut the network (every connection dropped, new ones refused)
 * and restore it on the same port, while Redis itself keeps running with its script cache: the blip
 * in which a queued command would be sent after its caller was told it failed.
 */
async function startProxy(targetPort: number): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async (): Promise<void> => {
    server = createServer((inbound) => {
      const outbound = connect(targetPort, "127.0.0.1");
      for (const s of [inbound, outbound]) {
        sockets.add(s);
        s.on("error", () => s.destroy());
        s.on("close", () => sockets.delete(s));
      }
      inbound.pipe(outbound).pipe(inbound);
      inbound.on("close", () => outbound.destroy());
      outbound.on("close", () => inbound.destroy());
    });
    await new Promise<void>((resolve) => server?.listen(port, "127.0.0.1", resolve));
    port = (server.address() as { port: number }).port;
  };
  const cut = async (): Promise<void> => {
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  await listen();
  return { url: `redis://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

const booking = (id: number) => ({ type: "create" as const, data: { id, specialist_id: 3, workpoint_id: 1 } });
const untilTrue = async (check: () => boolean, ms: number, what: string): Promise<void> => {
  for (const t0 = Date.now(); !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not within ${ms} ms`);
  }
};

describe.runIf(available)("createRedisClient: one factory with deliberate settings", () => {
  it("a publish that failed while Redis was unreachable is never delivered or stored once it is back; the subscription comes back", async () => {
    const prefix = `rc${process.pid}`;
    const proxy = await startProxy(redis.port);
    open.push(proxy);
    const client = createRedisClient({ url: proxy.url, timeout: 0.5 });
    open.push({ close: () => client.disconnect() });
    const server = await startHubServer(ioredisBroker(client, { prefix }), { brokerTimeoutMs: 500, logger: { warn() {}, error() {} } });
    open.push(server);
    await untilTrue(() => server.hub.stats().brokerUp, 5_000, "subscribed");
    const viewer = await openSse(server.streamUrl("spec-3"));
    open.push(viewer);
    await server.hub.publish(booking(1)); // Redis now has the publish script cached
    await viewer.waitForEvents(1, 5_000);

    // The network to Redis fails. Wait until the client waits long enough between attempts (>= 700 ms)
    // that the network is back before its next attempt: with an offline queue, that attempt would
    // carry the failed publish to Redis.
    await proxy.cut();
    await new Promise<void>((resolve) => {
      const onReconnecting = (delay: number): void => {
        if (delay < 700) return;
        client.off("reconnecting", onReconnecting);
        setImmediate(resolve);
      };
      client.on("reconnecting", onReconnecting);
    });
    const outcome = await server.hub.publish(booking(2)).then(
      () => "published",
      (error: { code?: string }) => error.code ?? "unknown",
    );
    await proxy.restore();
    expect(outcome).toMatch(/^broker_(error|timeout)$/);

    await untilTrue(() => client.status === "ready", 10_000, "the app's client reconnected");
    await untilTrue(() => server.hub.stats().brokerUp, 10_000, "the subscriber reconnected");
    await client.ping(); // anything the client had queued was sent before this reply
    const keys = redisKeys({ prefix });
    const check = new Redis(redis.url);
    open.push({ close: () => check.disconnect() });
    expect([await check.xlen(keys.history), await check.get(keys.globalVersion)]).toEqual([1, "1"]);

    // The subscription came back by itself: a new publish reaches the viewer, the failed one never does.
    await server.hub.publish(booking(3));
    const bookings = () => viewer.events.filter((e) => e.event === "booking").map((e) => (JSON.parse(e.data) as { data: { id: number } }).data.id);
    await untilTrue(() => bookings().includes(3), 5_000, "booking 3 delivered");
    expect(bookings()).toEqual([1, 3]);
  });

  it("says what to write instead of a bare host:port, and never shows a password", () => {
    const attempt = (url: string) => {
      try {
        createRedisClient({ url }).disconnect();
        return "accepted";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(attempt("127.0.0.1:6379")).toBe("a Redis URL starts with redis:// (or rediss:// for TLS): write redis://127.0.0.1:6379");
    expect(attempt("localhost:6380/2")).toBe("a Redis URL starts with redis:// (or rediss:// for TLS): write redis://localhost:6380/2");
    expect(attempt("http://user:hunter2@127.0.0.1:6379")).not.toContain("hunter2");
  });
});

describe.runIf(available)("ioredisBroker: what a failed publish means", () => {
  it("a publish to a Redis that stalls (SIGSTOP; DEBUG SLEEP is disabled in Redis 7) is a broker_timeout that says the outcome is unknown", async () => {
    const client = createRedisClient({ url: redis.url, timeout: 0.3 });
    open.push({ close: () => client.disconnect() });
    const broker = ioredisBroker(client, { prefix: `sleep${process.pid}` });
    await client.ping();
    const pid = Number(/process_id:(\d+)/.exec(await redis.cli("INFO", "server"))?.[1]);
    process.kill(pid, "SIGSTOP");
    let error: { code?: string; message?: string } | undefined;
    try {
      error = await broker.publish(JSON.stringify(booking(1)), []).then(
        () => undefined,
        (e: unknown) => e as { code?: string; message?: string },
      );
    } finally {
      process.kill(pid, "SIGCONT");
    }
    expect(error?.code).toBe("broker_timeout");
    expect(error?.message).toContain("it may still be published; check the history before retrying");
  });

  it("a publish while the client is disconnected is a broker_error that says the event was not published", async () => {
    const client = createRedisClient({ url: redis.url, timeout: 0.3 });
    open.push({ close: () => client.disconnect() });
    await client.ping();
    const broker = ioredisBroker(client, { prefix: `down${process.pid}` });
    const killer = new Redis(redis.url);
    open.push({ close: () => killer.disconnect() });
    await killer.client("KILL", "TYPE", "normal", "SKIPME", "yes");
    await untilTrue(() => client.status !== "ready", 2_000, "the client to notice");
    const error = await broker.publish(JSON.stringify(booking(1)), []).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message?: string },
    );
    expect([error?.code, error?.message?.startsWith("Redis is not connected")]).toEqual(["broker_error", true]);
  });
});
