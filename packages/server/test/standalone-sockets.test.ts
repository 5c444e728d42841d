import { openSse, type SseReader } from "@realtime-bookings/test-utils";
import { type Socket, connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type BookingHub, type StandaloneServer, createBookingHub, createStandaloneServer, memoryBroker } from "../src/index.js";

const open: Array<{ close(): unknown }> = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const item of open.splice(0).reverse()) await item.close();
});

async function start(options: { maxSockets: number; headersTimeoutMs: number }): Promise<{ hub: BookingHub; standalone: StandaloneServer; url: string; port: number }> {
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: () => ({ role: "admin" }), logger: { warn() {}, error() {} } });
  const standalone = createStandaloneServer({ hub, ...options });
  const { url, port } = await standalone.listen(0, "127.0.0.1");
  open.push(standalone);
  return { hub, standalone, url, port };
}

/** A raw TCP client that sends `bytes` and records what comes back and when the server closed it. */
function rawClient(port: number, bytes: string): { socket: Socket; received: () => string; closed: Promise<void>; connected: Promise<void> } {
  const socket = connect(port, "127.0.0.1");
  sockets.push(socket);
  let received = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => (received += chunk));
  socket.on("error", () => {});
  const connected = new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  void connected.then(() => socket.write(bytes));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, received: () => received, closed, connected };
}

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms))]);

describe("standalone server: sockets before authentication are capped", () => {
  it("closes half-sent requests after the header timeout and refuses sockets past the cap, while a real stream keeps working", async () => {
    const { hub, standalone, url, port } = await start({ maxSockets: 12, headersTimeoutMs: 500 });
    const stream: SseReader = await openSse(`${url}/events`);
    open.push(stream);
    expect(stream.status).toBe(200);

    // 11 clients that start a request and never finish its headers: with the stream, the cap of 12.
    const halfSent = Array.from({ length: 11 }, () => rawClient(port, "GET /events HTTP/1.1\r\nHost: hub\r\nX-Slow: "));
    await Promise.all(halfSent.map((c) => c.connected));
    await within(
      (async () => {
        while ((await new Promise<number>((r) => standalone.server.getConnections((_, n) => r(n)))) < 12) await new Promise((r) => setTimeout(r, 10));
      })(),
      3_000,
      "the server to count 12 sockets",
    );
    // One more is closed at once, without an answer.
    const refused = rawClient(port, "GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n");
    await within(refused.closed, 3_000, "the socket past the cap to be closed");
    expect(refused.received()).toBe("");

    // The real stream still gets events while the half-sent requests hold their sockets.
    await hub.publish({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } });
    await stream.waitForEvents(1, 3_000);
    expect(stream.events.map((e) => e.event)).toEqual(["booking"]);

    // The half-sent requests are cut after the header timeout (408), freeing their sockets.
    await within(Promise.all(halfSent.map((c) => c.closed)), 5_000, "the half-sent requests to be closed");
    expect(new Set(halfSent.map((c) => c.received().split("\r\n")[0]))).toEqual(new Set(["HTTP/1.1 408 Request Timeout"]));
    const again = await openSse(`${url}/events`);
    open.push(again);
    expect(again.status).toBe(200);
  });

  it("cuts a connection that sends nothing at all after the header timeout", async () => {
    const { port } = await start({ maxSockets: 10, headersTimeoutMs: 300 });
    const silent = rawClient(port, "");
    await within(silent.closed, 5_000, "the silent socket to be closed");
  });

  it("refuses limits that are not positive integers", () => {
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: () => null });
    open.push(hub);
    for (const bad of [{ maxSockets: 0 }, { headersTimeoutMs: -1 }, { maxSockets: 1.5 }, { shutdownTimeoutMs: 0 }]) {
      expect(() => createStandaloneServer({ hub, ...bad })).toThrowError(expect.objectContaining({ code: "invalid_options" }));
    }
  });
});

