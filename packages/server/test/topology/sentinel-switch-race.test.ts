// A sentinel's +switch-master that arrives while an ioredis Sentinel client is reconnecting (asking a
// sentinel where the master is) makes ioredis give up for good: its failover detector closes the
// connector mid-connect, `connect()` throws "Connection is closed." and the client ends. A hub on such
// a client never delivers again. The fake sentinel below holds its answer back so that the message
// lands in exactly that window, every time.
import { type Socket, createServer } from "node:net";
import { hasRedisServer, startRedisServer, sleep } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { ioredisBroker } from "../../src/brokers/ioredis.js";
import { createSentinelClient } from "../../src/brokers/topology.js";

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
const array = (items: string[]): string => `*${items.length}\r\n${items.join("")}`;

/** Parses the RESP arrays of bulk strings a client sends (enough for ioredis' sentinel commands). */
function commandsOf(buffer: string): { commands: string[][]; rest: string } {
  const commands: string[][] = [];
  let at = 0;
  for (;;) {
    const m = /^\*(\d+)\r\n/.exec(buffer.slice(at));
    if (!m) break;
    let p = at + m[0].length;
    const args: string[] = [];
    let complete = true;
    for (let i = 0; i < Number(m[1]); i++) {
      const h = /^\$(\d+)\r\n/.exec(buffer.slice(p));
      if (!h || buffer.length < p + h[0].length + Number(h[1]) + 2) { complete = false; break; }
      p += h[0].length;
      args.push(buffer.slice(p, p + Number(h[1])));
      p += Number(h[1]) + 2;
    }
    if (!complete) break;
    commands.push(args);
    at = p;
  }
  return { commands, rest: buffer.slice(at) };
}

/**
 * A sentinel that names `master` and, once `slow` is set, answers where the master is only after
 * 400 ms; `switchMaster()` sends `+switch-master` to every subscriber.
 */
async function fakeSentinel(master: { port: number }) {
  const subscribers = new Set<Socket>();
  const state = { slow: false, asked: 0 };
  const server = createServer((socket) => {
    let buffer = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      const parsed = commandsOf(buffer + chunk.toString("latin1"));
      buffer = parsed.rest;
      for (const [name = "", sub = ""] of parsed.commands) {
        const command = `${name} ${sub}`.toLowerCase();
        if (command.startsWith("sentinel get-master-addr-by-name")) {
          state.asked += 1;
          const reply = array([bulk("127.0.0.1"), bulk(String(master.port))]);
          if (state.slow) setTimeout(() => socket.write(reply), 400);
          else socket.write(reply);
        } else if (command.startsWith("sentinel")) socket.write("*0\r\n");
        else if (command.startsWith("subscribe")) {
          subscribers.add(socket);
          socket.write(array([bulk("subscribe"), bulk(sub), ":1\r\n"]));
        } else if (command.startsWith("info")) socket.write(bulk("# Server\r\nredis_mode:sentinel\r\n"));
        else socket.write("+OK\r\n");
      }
    });
    socket.on("close", () => subscribers.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    state,
    switchMaster() {
      for (const s of subscribers) s.write(array([bulk("message"), bulk("+switch-master"), bulk(`mymaster 127.0.0.1 1 127.0.0.1 ${master.port}`)]));
    },
    close: () => new Promise<void>((resolve) => { for (const s of subscribers) s.destroy(); server.close(() => resolve()); }),
  };
}

/** Kills every connection to the master while the sentinel answers slowly, then announces a switch. */
async function raceSwitch(redis: { port: number }, sentinel: Awaited<ReturnType<typeof fakeSentinel>>): Promise<void> {
  await sleep(200); // the failover detectors have subscribed
  sentinel.state.slow = true;
  const admin = new Redis({ port: redis.port, lazyConnect: true });
  stops.push(() => admin.disconnect());
  await admin.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"); // the master went away...
  await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
  const asked = sentinel.state.asked;
  for (let i = 0; i < 40 && sentinel.state.asked === asked; i++) await sleep(10);
  sentinel.switchMaster(); // ...and the sentinels announce the new one while the clients ask where it is
}

describe.runIf(hasRedisServer())("an ioredis Sentinel client and a +switch-master during its reconnection", () => {
  it("createSentinelClient: reconnects to the master the sentinels name instead of ending for good", async () => {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    const sentinel = await fakeSentinel({ port: redis.port });
    stops.push(() => sentinel.close());
    const client = createSentinelClient({ sentinels: [{ host: "127.0.0.1", port: sentinel.port }], name: "mymaster" });
    stops.push(() => client.disconnect());
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));

    await raceSwitch(redis, sentinel);

    for (let i = 0; i < 100 && client.status !== "ready"; i++) await sleep(50);
    expect(client.status).toBe("ready");
    expect(await client.ping()).toBe("PONG");
  }, 20_000);

  it("ioredisBroker on the app's own Sentinel client: publishing and the subscription both come back", async () => {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    const sentinel = await fakeSentinel({ port: redis.port });
    stops.push(() => sentinel.close());
    const client = new Redis({ sentinels: [{ host: "127.0.0.1", port: sentinel.port }], name: "mymaster", failoverDetector: true, retryStrategy: () => 50 });
    client.on("error", () => {});
    stops.push(() => client.disconnect());
    const broker = ioredisBroker(client, { prefix: "race" });
    stops.push(() => broker.close());
    const messages: string[] = [];
    let ready = 0;
    await broker.subscribe({ onMessage: (m) => void messages.push(m), onReady: () => void (ready += 1), onDown: () => {} });

    await raceSwitch(redis, sentinel);

    for (let i = 0; i < 100 && (client.status !== "ready" || ready < 2); i++) await sleep(50);
    expect(client.status).toBe("ready");
    expect(ready).toBe(2); // the subscription came back and said so
    const id = await broker.publish(JSON.stringify({ type: "create", data: { id: 1, specialist_id: 1, workpoint_id: 1 } }), []);
    for (let i = 0; i < 40 && messages.length === 0; i++) await sleep(25);
    expect(messages).toEqual([expect.stringContaining(`"id":"${id}"`)]);
  }, 20_000);
});
