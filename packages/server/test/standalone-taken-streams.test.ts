import { openSse, sleep } from "@realtime-bookings/test-utils";
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Socket, connect } from "node:net";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { type BookingHub, type StandaloneServer, createBookingHub, createStandaloneServer, jwtAuthenticator, memoryBroker } from "../src/index.js";
import { SECRET, signClaims } from "./auth/support/jwt-hub.js";

// A full garbage collection on demand, as `node --expose-gc` gives.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const open: Array<{ close(): unknown }> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const item of open.splice(0).reverse()) await item.close();
});

/** The standalone server with JWT auth, tokens accepted in `?token=` too (as a native EventSource sends them). */
async function start(options: { shutdownTimeoutMs?: number; maxBufferedBytes?: number } = {}): Promise<{ hub: BookingHub; standalone: StandaloneServer; url: string; port: number }> {
  const auth = jwtAuthenticator({ secret: SECRET });
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: auth.authenticate, allowQueryToken: true, maxBufferedBytes: options.maxBufferedBytes, logger: { warn() {}, error() {} } });
  const standalone = createStandaloneServer({ hub, shutdownTimeoutMs: options.shutdownTimeoutMs });
  const { url, port } = await standalone.listen(0, "127.0.0.1");
  open.push(standalone);
  return { hub, standalone, url, port };
}

const token = (sub: string) => signClaims({ role: "admin", sub, exp: Math.floor(Date.now() / 1000) + 3600 });

/** A stream over a bare TCP socket: the bytes as they come off the wire. */
async function rawStream(port: number, request: string) {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  socket.setEncoding("latin1").on("data", (chunk: string) => (received += chunk));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  socket.write(request);
  return {
    socket,
    closed,
    text: () => received,
    async until(done: (text: string) => boolean): Promise<void> {
      for (let waited = 0; !done(received); waited += 10) {
        if (waited > 5_000) throw new Error(`timed out; received: ${JSON.stringify(received)}`);
        await sleep(10);
      }
    },
  };
}

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms))]);

const until = async (what: string, check: () => boolean): Promise<void> => {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5_000) throw new Error(`${what}: not met within 5 s`);
    await sleep(10);
  }
};

describe("standalone server: a started stream keeps only its socket", () => {
  it("lets node:http's request (with the token in its URL) and response be collected, while the stream keeps delivering", async () => {
    const { hub, standalone, url } = await start();
    const held: WeakRef<IncomingMessage | ServerResponse>[] = [];
    standalone.server.prependListener("request", (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith("/events")) held.push(new WeakRef(req), new WeakRef(res));
    });
    const reader = await openSse(`${url}/events?token=${await token("u1")}`);
    open.push(reader);
    expect(reader.status).toBe(200);
    await until("the stream to start", () => reader.ready.length === 1);
    expect(held).toHaveLength(2);

    // A few full collections a tick apart: what lets go only after a pending callback still counts.
    for (let tries = 0; tries < 20 && held.some((ref) => ref.deref() !== undefined); tries++) {
      await sleep(10);
      collectGarbage();
    }
    expect(held.map((ref) => ref.deref())).toEqual([undefined, undefined]);

    await hub.publish({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } });
    await reader.waitForEvents(1, 3_000);
    expect(hub.stats().connections.admin).toBe(1);
    reader.close();
    await until("the stream to be freed", () => hub.stats().connections.admin === 0);
  });

  it("writes the same bytes as on node:http's response: head and preamble, then raw SSE until the connection closes", async () => {
    const { hub, port } = await start();
    const stream = await rawStream(port, `GET /events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${await token("u1")}\r\n\r\n`);
    await stream.until((text) => text.includes("event: ready"));
    await hub.publish({ type: "create", data: { id: 7, specialist_id: 3, workpoint_id: 1 } });
    await stream.until((text) => text.includes('"id":7'));
    const [head = "", body = ""] = stream.text().split("\r\n\r\n");
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
    expect(head.toLowerCase()).toContain("connection: close");
    expect(head.toLowerCase()).toContain("content-type: text/event-stream");
    expect(head.toLowerCase()).not.toContain("transfer-encoding");
    expect(body).toMatch(/^retry: \d+\n\nevent: ready\nid: [^\n]+\ndata: \{"heartbeatMs":\d+\}\n\nevent: booking\nid: [^\n]+\ndata: \{[^\n]*"id":7[^\n]*\}\n\n$/);
  });

  it("ends a stream whose client half-closes its side, and frees it", async () => {
    const { hub, port } = await start();
    const stream = await rawStream(port, `GET /events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${await token("u1")}\r\n\r\n`);
    await stream.until((text) => text.includes("event: ready"));
    expect(hub.stats().connections.admin).toBe(1);
    stream.socket.end();
    await within(stream.closed, 3_000, "the server to close the socket");
    await until("the stream to be freed", () => hub.stats().connections.admin === 0);
  });

  it("still streams to an HTTP/1.0 client, on the response", async () => {
    const { hub, port } = await start();
    const stream = await rawStream(port, `GET /events HTTP/1.0\r\nHost: hub\r\nAuthorization: Bearer ${await token("u1")}\r\n\r\n`);
    await stream.until((text) => text.includes("event: ready"));
    await hub.publish({ type: "create", data: { id: 8, specialist_id: 3, workpoint_id: 1 } });
    await stream.until((text) => text.includes('"id":8'));
    expect(stream.text().split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
  });

  it("cuts a stream whose client stopped reading when a shutdown reaches shutdownTimeoutMs", async () => {
    const { hub, standalone, port } = await start({ shutdownTimeoutMs: 300, maxBufferedBytes: 256 * 1024 * 1024 });
    const stream = await rawStream(port, `GET /events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${await token("u1")}\r\n\r\n`);
    await stream.until((text) => text.includes("event: ready"));
    stream.socket.pause();
    // Fill the kernel's buffers until the hub holds a backlog for this client.
    const pad = "x".repeat(60_000);
    for (let i = 0; i < 2_000 && hub.stats().oldestBacklogMs === 0; i++) {
      await hub.publish({ type: "create", data: { id: i, specialist_id: 1, workpoint_id: 1, pad } });
      if (i % 20 === 19) await sleep(5);
    }
    expect(hub.stats().oldestBacklogMs).toBeGreaterThan(0);
    await within(standalone.close(), 5_000, "the shutdown");
    // What the kernel still holds reaches the client once it reads again, then the end.
    stream.socket.resume();
    await within(stream.closed, 5_000, "the client's socket to close");
  });
});
