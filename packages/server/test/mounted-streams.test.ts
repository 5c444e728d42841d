// A hub mounted in an app's own node:http server writes a started stream's events to the socket itself
// (skipping node:http's cork per write) only when the response would put the same bytes there: an
// app's middleware that wraps `res.write` still sees every byte, and the app still sees its response
// finish when the hub ends the stream.
import type { IncomingMessage, ServerResponse } from "node:http";
import { openSse, waitUntil } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { memoryBroker } from "../src/index.js";
import { startHubServer } from "./support/hub-server.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const booking = (id: number) => ({ type: "create" as const, data: { id, specialist_id: 3, workpoint_id: 1 } });

/** A hub mounted in an app's server whose `middleware` runs before the hub on every request. */
async function mounted(middleware: (req: IncomingMessage, res: ServerResponse) => void) {
  const server = await startHubServer(memoryBroker(), {}, { middleware });
  open.push(server);
  return { hub: server.hub, url: server.streamUrl("admin") };
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
    open.push(reader);
    for (const id of [1, 2, 3]) await hub.publish(booking(id));
    await waitUntil("three events", async () => reader.events.length === 3, 3000);
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
    open.push(reader);
    for (const id of [1, 2, 3]) await hub.publish(booking(id));
    await waitUntil("three events", async () => reader.events.length === 3, 3000);
    await hub.publish(booking(4));
    await hub.close();
    await waitUntil("finish and close", async () => finished.length === 2, 3000);
    expect(finished).toEqual(["finish", "close"]);
    await reader.ended;
    expect(reader.events.map((e) => JSON.parse(e.data).data.id)).toEqual([1, 2, 3, 4]);
  });
});
