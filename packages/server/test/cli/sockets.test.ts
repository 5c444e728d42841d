import { type Socket, connect } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { SECRET, killChildren, startServe } from "./support/cli.js";

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
afterAll(killChildren);

/** Opens a raw socket, sends `bytes`, and resolves `closed` with what it received once the server closes it. */
function raw(port: number, bytes: string): { closed: Promise<string> } {
  const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
  sockets.push(socket);
  let received = "";
  socket.setEncoding("utf8").on("data", (c: string) => (received += c));
  socket.on("error", () => {});
  return { closed: new Promise((resolve) => socket.once("close", () => resolve(received))) };
}
const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms))]);

describe("realtime-bookings serve --max-sockets --headers-timeout-ms", () => {
  it("cuts half-sent requests with 408 after the header timeout and closes sockets past the cap at once", async () => {
    const hub = await startServe(["--secret", SECRET, "--max-connections", "1", "--max-sockets", "3", "--headers-timeout-ms", "400"]);
    expect(hub.stdout()).toContain("caps: 10 per viewer, 1 total, 3 sockets");
    const slow = [1, 2, 3].map(() => raw(hub.port, "GET /healthz HTTP/1.1\r\nHost: hub\r\n"));
    await new Promise((r) => setTimeout(r, 100)); // let the server accept the three
    const past = raw(hub.port, "GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n");
    expect(await within(past.closed, 3_000, "the fourth socket to be closed")).toBe("");
    const answers = await within(Promise.all(slow.map((s) => s.closed)), 5_000, "the half-sent requests to be cut");
    expect(answers.map((a) => a.split("\r\n")[0])).toEqual(Array(3).fill("HTTP/1.1 408 Request Timeout"));
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
  });
});
