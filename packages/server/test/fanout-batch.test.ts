import type { Socket } from "node:net";
import { openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { FanoutBatch, type Outgoing } from "../src/fanout/batch.js";
import { memoryBroker } from "../src/index.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

/** The two ways a stream reaches its socket: node:http's response, or the socket taken from node:http. */
const MOUNTS = [
  { mount: "mounted in node:http", takeSockets: false },
  { mount: "on taken sockets (the standalone server)", takeSockets: true },
];

describe("fan-out batches", () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });

  /** Counts the socket writes (`_write` / `_writev` calls, one syscall each) the server makes per stream. */
  function countWrites(server: HubServer): Array<{ calls: number; chunks: number }> {
    const counts: Array<{ calls: number; chunks: number }> = [];
    type Writes = { _write: (chunk: unknown, encoding: unknown, cb: () => void) => void; _writev: (chunks: unknown[], cb: () => void) => void };
    server.server.on("connection", (socket: Socket & Writes) => {
      const count = { calls: 0, chunks: 0 };
      counts.push(count);
      const write = socket._write.bind(socket);
      const writev = socket._writev.bind(socket);
      socket._write = (chunk, encoding, cb) => {
        count.calls += 1;
        count.chunks += 1;
        write(chunk, encoding, cb);
      };
      socket._writev = (chunks, cb) => {
        count.calls += 1;
        count.chunks += chunks.length;
        writev(chunks, cb);
      };
    });
    return counts;
  }

  it.each(MOUNTS)("writes the events that reach the hub in one turn to each connection in one socket write, in order ($mount)", async ({ takeSockets }) => {
    const server = await startHubServer(memoryBroker(), {}, { takeSockets });
    open.push(server);
    const writes = countWrites(server);
    const readers = [await openSse(server.streamUrl("admin")), await openSse(server.streamUrl("spec-3"))];
    open.push(...readers);
    await sleep(50); // the stream heads and `ready` are written
    const before = writes.map((w) => ({ ...w }));
    // Five publishes in five callbacks of one turn, as publish requests or broker messages arrive.
    await Promise.all(
      Array.from(
        { length: 5 },
        (_, i) =>
          new Promise((resolve, reject) =>
            setImmediate(() => server.hub.publish({ type: "create", data: { id: i, specialist_id: 3, workpoint_id: 1 } }).then(resolve, reject)),
          ),
      ),
    );
    for (const reader of readers) await reader.waitForEvents(5);
    for (const reader of readers) expect(reader.events.map((e) => JSON.parse(e.data).data.id)).toEqual([0, 1, 2, 3, 4]);
    // The admin gets the five as one joined buffer; the specialist frame by frame, in one writev.
    expect(writes.map((w, i) => ({ calls: w.calls - (before[i]?.calls ?? 0), chunks: w.chunks - (before[i]?.chunks ?? 0) }))).toEqual([
      { calls: 1, chunks: 1 },
      { calls: 1, chunks: 5 },
    ]);
  });

  it.each(MOUNTS)("holds at most 64 streams' writes corked: a broadcast's first viewers do not wait for the whole fan-out ($mount)", async ({ takeSockets }) => {
    const server = await startHubServer(memoryBroker(), {}, { takeSockets });
    open.push(server);
    const sockets: Socket[] = [];
    /** When the first stream's bytes of the event reach `_write`: which other streams already hold the event unsent. */
    let holding: number | undefined;
    let armed = false;
    server.server.on("connection", (socket: Socket & { _write: (chunk: unknown, encoding: unknown, cb: () => void) => void }) => {
      sockets.push(socket);
      const write = socket._write.bind(socket);
      socket._write = (chunk, encoding, cb) => {
        if (armed) {
          armed = false;
          holding = sockets.filter((s) => s !== socket && s.writableLength > 0).length;
        }
        write(chunk, encoding, cb);
      };
    });
    const readers = await Promise.all(Array.from({ length: 100 }, () => openSse(server.streamUrl("admin"))));
    open.push(...readers);
    await sleep(100); // the stream heads and `ready` are written
    armed = true;
    await server.hub.publish({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } });
    for (const reader of readers) await reader.waitForEvents(1);
    // The first 64 leave together (63 others held with the first), before the other 36 are queued.
    expect(holding).toBe(63);
  });

  it("a burst of 1,000 publishes reaches every viewer allowed to see it, complete and in order", async () => {
    const server = await startHubServer(memoryBroker());
    open.push(server);
    const admin = await openSse(server.streamUrl("admin"));
    const spec = await openSse(server.streamUrl("spec-3"));
    open.push(admin, spec);
    await Promise.all(
      Array.from({ length: 1000 }, (_, i) => server.hub.publish({ type: "create", data: { id: i, specialist_id: i % 2 === 0 ? 3 : 4, workpoint_id: 1 } })),
    );
    await admin.waitForEvents(1000, 10_000);
    await spec.waitForEvents(500, 10_000);
    expect(admin.events.map((e) => JSON.parse(e.data).data.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(spec.events.map((e) => JSON.parse(e.data).data.id)).toEqual(Array.from({ length: 500 }, (_, i) => i * 2));
    expect(server.hub.stats()).toMatchObject({ eventsDelivered: 1500, eventsDropped: 0 });
  });

  const message = (n: number): Outgoing => ({ frame: { id: undefined, bytes: new Uint8Array([n]) }, scope: undefined });
  const numbers = (batch: readonly Outgoing[]) => batch.map((m) => m.frame.bytes[0]);

  it("sends what one turn queued as one batch on the next turn, in order; flush() sends now; a failing batch is reported", async () => {
    const batches: number[][] = [];
    const errors: unknown[] = [];
    let calls = 0;
    const batch = new FanoutBatch(
      (b) => {
        if (++calls === 1) throw new Error("boom");
        batches.push(numbers(b) as number[]);
      },
      (error) => errors.push(error),
    );
    batch.push(message(1));
    batch.push(message(2));
    expect(batches).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect([batches, errors.map(String)]).toEqual([[], ["Error: boom"]]); // the failed batch is reported, not retried
    batch.push(message(3));
    batch.push(message(4));
    batch.flush();
    expect(batches).toEqual([[3, 4]]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[3, 4]]);
  });

  it("writes a burst in slices of at most 256, one per turn of the event loop", async () => {
    const sizes: number[] = [];
    const batch = new FanoutBatch(
      (b) => sizes.push(b.length),
      () => {},
    );
    for (let i = 0; i < 600; i++) batch.push(message(i % 256));
    const seenPerTurn: number[][] = [];
    for (let turn = 0; turn < 4; turn++) {
      await new Promise((resolve) => setImmediate(resolve));
      seenPerTurn.push([...sizes]);
    }
    expect(seenPerTurn).toEqual([[256], [256, 256], [256, 256, 88], [256, 256, 88]]);
    batch.push(message(1));
    batch.flush();
    expect(sizes).toEqual([256, 256, 88, 1]);
  });
});
