// Issue 19: Idempotency-Key on the publish endpoint and idempotencyKey on hub.publish, on every broker.
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { HubError, createBookingHub } from "../src/index.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const quiet = { warn() {}, error() {} };
const event = (id: number) => ({ type: "create", data: { id, specialist_id: 3, workpoint_id: 1 } });
const ids = (reader: SseReader) => reader.events.map((e) => JSON.parse(e.data).data.id);

describe.each(kits)("Idempotency-Key: $name", (kit) => {
  let server: HubServer;
  const start = async (): Promise<SseReader> => {
    server = await startHubServer(await kit.create({ prefix: uniquePrefix() }), { logger: quiet, authorizePublish: () => true });
    open.push(server);
    const viewer = await openSse(server.streamUrl("spec-3"));
    open.push(viewer);
    for (let i = 0; i < 200 && viewer.ready.length === 0; i++) await sleep(5);
    return viewer;
  };
  const post = (body: unknown, key?: string) =>
    fetch(`${server.url}/publish`, { method: "POST", headers: { "Content-Type": "application/json", ...(key === undefined ? {} : { "Idempotency-Key": key }) }, body: JSON.stringify(body) });
  const answer = async (response: Response) => ({ status: response.status, replayedHeader: response.headers.get("idempotent-replayed"), body: (await response.json()) as Record<string, unknown> });

  it("a retry with the same key answers the first id, marked replayed, and the viewers get the event once", async () => {
    const viewer = await start();
    const first = await answer(await post(event(1), "order-1"));
    const retry = await answer(await post(event(1), "order-1"));
    const next = await answer(await post(event(2), "order-2"));
    await viewer.waitForEvents(2);
    await sleep(50);
    expect({ first, retry, delivered: ids(viewer), published: server.hub.stats().published }).toEqual({
      first: { status: 200, replayedHeader: null, body: { id: first.body["id"], replayed: false } },
      retry: { status: 200, replayedHeader: "true", body: { id: first.body["id"], replayed: true } },
      delivered: [1, 2],
      published: 2,
    });
    expect(next.body["id"]).not.toBe(first.body["id"]);
  });

  it("the same key with a different event is refused with 422, bad keys with 400, and nothing is published", async () => {
    const viewer = await start();
    const first = await answer(await post(event(1), "k-1"));
    const refusals: Record<string, [number, unknown]> = {};
    const cases: Record<string, [unknown, string]> = {
      "another event": [event(9), "k-1"],
      "a space": [event(3), "two words"],
      "256 characters": [event(4), "k".repeat(256)],
      "a tab": [event(5), "a\tb"],
    };
    for (const [name, [body, key]] of Object.entries(cases)) {
      const response = await post(body, key);
      refusals[name] = [response.status, ((await response.json()) as { error?: string }).error];
    }
    await sleep(100);
    expect({ refusals, delivered: ids(viewer), newest: await server.hub.broker.newestId(), refused: server.hub.stats().publishesRefused }).toEqual({
      refusals: {
        "another event": [422, "idempotency_key_reused"],
        "a space": [400, "invalid_idempotency_key"],
        "256 characters": [400, "invalid_idempotency_key"],
        "a tab": [400, "invalid_idempotency_key"],
      },
      delivered: [1],
      newest: first.body["id"],
      refused: 4,
    });
  });

  it("hub.publish(event, { idempotencyKey }) resolves with the first id on a retry, and refuses a bad key with a typed error", async () => {
    const hub = createBookingHub({ broker: await kit.create({ prefix: uniquePrefix() }), authenticate: () => null, logger: quiet });
    open.push(hub);
    const first = await hub.publish(event(1) as never, { idempotencyKey: "lib-1" });
    const retry = await hub.publish(event(1) as never, { idempotencyKey: "lib-1" });
    const refusals = await Promise.all(
      [hub.publish(event(2) as never, { idempotencyKey: "" }), hub.publish(event(2) as never, { idempotencyKey: "lib-1" })].map((p) =>
        p.then(
          () => "published",
          (error: unknown) => (error instanceof HubError ? error.code : String(error)),
        ),
      ),
    );
    expect({ first: first.replayed, retry, refusals, newest: await hub.broker.newestId() }).toEqual({
      first: false,
      retry: { id: first.id, replayed: true },
      refusals: ["invalid_idempotency_key", "idempotency_key_reused"],
      newest: first.id,
    });
  });
});
