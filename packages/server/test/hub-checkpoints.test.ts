// A quiet viewer (no event of its scope in the recent history) gets a real resume point, and its
// resume point keeps up through heartbeats: after a deploy it resumes instead of reloading its page.
import { redisKeys } from "@realtime-bookings/protocol";
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { startHubServer } from "./support/hub-server.js";

const { kits, url } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const booking = (id: number, specialist: number) => ({ type: "create" as const, data: { id, specialist_id: specialist, workpoint_id: 1 } });
const ids = (reader: SseReader) => reader.events.map((e) => (e.event === "booking" ? JSON.parse(e.data).data.id : e.event));
const quiet = { warn() {}, error() {} };
const waitFor = async (check: () => boolean, ms = 5_000) => {
  for (const until = Date.now() + ms; !check() && Date.now() < until; ) await sleep(10);
};
const minute = 60_000;

/** A history that began ten minutes ago (one event then, for specialist 3), as on any running system. */
async function olderHistory(prefix: string): Promise<void> {
  const raw = new Redis(url());
  try {
    const at = Date.now() - 10 * minute;
    await raw.xadd(redisKeys({ prefix }).history, `${at}-0`, "event", JSON.stringify(booking(1, 3)));
  } finally {
    raw.disconnect();
  }
}

describe.each(kits.filter((k) => k.redis))("a quiet viewer across a deploy: $name", (kit) => {
  it("gets a minute-aligned checkpoint as its resume point, not 0-0, and resumes on another hub into what it may see, without a resync", async () => {
    const prefix = uniquePrefix();
    await olderHistory(prefix);
    const a = await startHubServer(await kit.create({ prefix }), { logger: quiet });
    open.push(a);
    await a.hub.publish(booking(2, 3)); // specialist 5 sees none of this
    const before = await openSse(a.streamUrl("spec-5"));
    open.push(before);
    await waitFor(() => before.ready.length > 0);
    const checkpoint = before.ready[0]?.id ?? "";
    const [ms, seq] = checkpoint.split("-").map(Number);
    expect({ seq, aligned: (ms as number) % minute, atLeastAMinuteOld: Date.now() - (ms as number) >= minute }).toEqual({ seq: 0, aligned: 0, atLeastAMinuteOld: true });
    before.close(); // the deploy: this hub goes away

    await a.hub.publish(booking(3, 3));
    await a.hub.publish(booking(4, 5));
    const b = await startHubServer(await kit.create({ prefix }), { logger: quiet });
    open.push(b);
    const after = await openSse(b.streamUrl("spec-5"), { "Last-Event-ID": checkpoint });
    open.push(after);
    await waitFor(() => after.events.length > 0);
    await sleep(100);
    expect({ events: ids(after), resyncs: b.hub.stats().resyncs }).toEqual({ events: [4], resyncs: 0 });
  });

  it("moves a quiet stream's resume point forward with its heartbeats, and never a busy one's back", async () => {
    const prefix = uniquePrefix();
    await olderHistory(prefix);
    const hub = await startHubServer(await kit.create({ prefix }), { logger: quiet, heartbeatMs: 200 });
    open.push(hub);
    const quietOne = await openSse(hub.streamUrl("spec-5"), { "Last-Event-ID": "0-0" }); // the old rule's point
    const admin = await openSse(hub.streamUrl("admin"));
    open.push(quietOne, admin);
    await waitFor(() => quietOne.ready.length > 0 && admin.ready.length > 0);
    await hub.hub.publish(booking(2, 3));
    await waitFor(() => quietOne.heartbeats.length >= 2 && admin.heartbeats.length >= 2);
    const checkpoint = quietOne.heartbeats.find((h) => h.id)?.id ?? "";
    expect(Number(checkpoint.split("-")[0]) % minute).toBe(0);
    expect(admin.heartbeats.filter((h) => h.id)).toEqual([]); // the admin was given newer ids already
    expect(quietOne.heartbeats.filter((h) => h.id).length).toBe(1); // once moved, not again until newer
  });
});
