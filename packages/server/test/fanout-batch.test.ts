import type { Socket } from "node:net";
import { openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { FanoutBatch } from "../src/fanout/batch.js";
import { memoryBroker } from "../src/index.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

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

  it("writes the events that reach the hub in one turn to each connection in one socket write, in order", async () => {
    const server = await startHubServer(memoryBroker());
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
    expect(writes.map((w, i) => ({ calls: w.calls - (before[i]?.calls ?? 0), chunks: w.chunks - (before[i]?.chunks ?? 0) }))).toEqual([
      { calls: 1, chunks: 5 },
      { calls: 1, chunks: 5 },
    ]);
  });

  it("runs queued tasks together on the next turn, in order, past a task that throws; flush() runs them now", async () => {
    const errors: unknown[] = [];
    const batch = new FanoutBatch((error) => errors.push(error));
    const ran: number[] = [];
    batch.push(() => ran.push(1));
    batch.push(() => {
      throw new Error("boom");
    });
    batch.push(() => ran.push(3));
    expect(ran).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect([ran, errors.map(String)]).toEqual([[1, 3], ["Error: boom"]]);
    batch.push(() => ran.push(4));
    batch.flush();
    expect(ran).toEqual([1, 3, 4]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual([1, 3, 4]);
  });
});
