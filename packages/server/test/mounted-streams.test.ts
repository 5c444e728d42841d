// A hub mounted in an app's own node:http server writes a started stream's events to the socket itself
// (skipping node:http's cork per write) only when the response would put the same bytes there: an
// app's middleware that wraps `res.write` still sees every byte, and the app still sees its response
// finish when the hub ends the stream.
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { createBookingHub, memoryBroker } from "../src/index.js";
import { viewerFromQuery } from "./support/hub-server.js";

const open: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const close of open.splice(0).reverse()) await close();
});
const until = async (check: () => boolean, ms = 3000) => {
  for (const t0 = Date.now(); !check(); ) {
    if (Date.now() - t0 > ms) throw new Error("condition not met in time");
    await sleep(10);
  }
};
const booking = (id: number) => ({ type: "create" as const, data: { id, specialist_id: 3, workpoint_id: 1 } });

/** A hub mounted in an app's server whose `middleware` runs before the hub on every request. */
async function mounted(middleware: (req: IncomingMessage, res: ServerResponse) => void) {
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: (request) => viewerFromQuery(request.url) });
  const server = createServer((req, res) => {
    middleware(req, res);
    void hub.events.node(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events?as=admin`;
  open.push(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { hub, url };
}

describe("a hub mounted in an app's node:http server", () => {
  it("sends every event through an app's middleware that wraps res.write (compression, byte counting)", async () => {
    const seen: string[] = [];
    const { hub, url } = await mounted((_req, res) => {
      const write = res.write;
      res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
        seen.push(Buffer.from(chunk as Uint8Array).toString("utf8"));
        return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as ServerResponse["write"];
    });
    const reader = await openSse(url);
    open.push(() => reader.close());
    for (const id of [1, 2, 3]) await hub.publish(booking(id));
    await until(() => reader.events.length === 3);
    const wrapped = seen.join("");
    for (const event of reader.events) expect(wrapped).toContain(event.data);
    expect(wrapped).toContain("event: ready");
  });

  it("lets the app see its response finish and close when the hub ends the stream, after every event", async () => {
    const finished: string[] = [];
    const { hub, url } = await mounted((_req, res) => {
      res.on("finish", () => finished.push("finish"));
      res.on("close", () => finished.push("close"));
    });
    const reader = await openSse(url);
    open.push(() => reader.close());
    for (const id of [1, 2, 3]) await hub.publish(booking(id));
    await until(() => reader.events.length === 3);
    await hub.publish(booking(4));
    await hub.close();
    await until(() => finished.length === 2);
    expect(finished).toEqual(["finish", "close"]);
    await reader.ended;
    expect(reader.events.map((e) => JSON.parse(e.data).data.id)).toEqual([1, 2, 3, 4]);
  });
});
