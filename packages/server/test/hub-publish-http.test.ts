// Issue 19: the publish endpoint, in both handler shapes, on every broker.
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { AuthenticationError, type Broker, HubError, createBookingHub, memoryBroker } from "../src/index.js";
import { brokerKits, uniquePrefix } from "./support/brokers.js";
import { type HubServer, startHubServer } from "./support/hub-server.js";

const { kits } = brokerKits();
const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
const quiet = { warn() {}, error() {} };
const KEY = "publisher-key-0123456789";
const event = (id: number, specialist = 3, workpoint = 1) => ({ type: "create", data: { id, specialist_id: specialist, workpoint_id: workpoint } });
const ids = (reader: SseReader) => reader.events.map((e) => JSON.parse(e.data).data.id);
const authorizePublish = (req: { header(name: string): string | undefined }) => {
  const auth = req.header("authorization");
  if (auth === `Bearer ${KEY}`) return true as const;
  if (auth === "Bearer limited") return { workpoints: [1] };
  if (!auth) throw new AuthenticationError("token_missing", "Send the publisher key as a Bearer token.");
  return false;
};

describe.each(kits)("POST to hub.publisher: $name", (kit) => {
  let server: HubServer;
  const post = (body: string, headers: Record<string, string> = {}, method = "POST") =>
    fetch(`${server.url}/publish`, { method, headers: { "Content-Type": "application/json", Authorization: `Bearer ${KEY}`, ...headers }, ...(method === "GET" ? {} : { body }) });

  it("publishes to the viewers of the event's scope and no one else, answering its id", async () => {
    server = await startHubServer(await kit.create({ prefix: uniquePrefix() }), { logger: quiet, authorizePublish });
    open.push(server);
    const mine = await openSse(server.streamUrl("spec-3"));
    const other = await openSse(server.streamUrl("spec-4"));
    open.push(mine, other);
    for (const r of [mine, other]) for (let i = 0; i < 200 && r.ready.length === 0; i++) await sleep(5);
    const response = await post(JSON.stringify(event(1)));
    const body = (await response.json()) as { id: string };
    await mine.waitForEvents(1);
    await sleep(50);
    expect({ status: response.status, id: body.id, mine: ids(mine), sameId: mine.events[0]?.id === body.id, other: other.events }).toEqual({
      status: 200,
      id: expect.stringMatching(/^\d+-\d+$/),
      mine: [1],
      sameId: true,
      other: [],
    });
  });

  it("refuses each bad request with its status and reason, and publishes nothing", async () => {
    const broker = await kit.create({ prefix: uniquePrefix() });
    server = await startHubServer(broker, { logger: quiet, authorizePublish });
    open.push(server);
    const before = await broker.newestId();
    const deep = `{"type":"create","data":{"id":1,"specialist_id":3,"workpoint_id":1,"x":${"[".repeat(40)}${"]".repeat(40)}}}`;
    const cases: Array<[string, Promise<Response>]> = [
      ["no credentials", post(JSON.stringify(event(1)), { Authorization: "" })],
      ["wrong credentials", post(JSON.stringify(event(1)), { Authorization: "Bearer nope" })],
      ["another workpoint", post(JSON.stringify(event(1, 3, 2)), { Authorization: "Bearer limited" })],
      ["a move out of the grant", post(JSON.stringify({ ...event(1, 3, 1), type: "update", previous: { specialist_id: 3, workpoint_id: 9 } }), { Authorization: "Bearer limited" })],
      ["form body", post("type=create", { "Content-Type": "application/x-www-form-urlencoded" })],
      ["no content type", post(JSON.stringify(event(1)), { "Content-Type": "" })],
      ["GET", post("", {}, "GET")],
      ["not JSON", post("{nope")],
      ["missing specialist", post(JSON.stringify({ type: "create", data: { id: 1, workpoint_id: 1 } }))],
      ["a __proto__ key", post('{"type":"create","data":{"id":1,"specialist_id":3,"workpoint_id":1,"__proto__":{"x":1}}}')],
      ["too deep", post(deep)],
      ["oversized", post(JSON.stringify({ ...event(1), pad: "x".repeat(70_000) }))],
      ["far oversized", post("x".repeat(300_000))],
    ];
    const answers: Record<string, [number, string, string | undefined]> = Object.create(null);
    for (const [name, pending] of cases) {
      const response = await pending;
      const body = (await response.json().catch(() => ({}))) as { error?: string; field?: string };
      answers[name] = [response.status, body.error ?? "", body.field];
    }
    await sleep(50);
    // /metrics counts each refusal under its reason (publishes_refused_total{reason}).
    const by = Object.fromEntries(Object.entries(server.hub.stats().publishesRefusedBy).filter(([, n]) => n > 0));
    expect(by).toEqual({ credentials: 1, publish_forbidden: 3, unsupported_media_type: 2, method_not_allowed: 1, invalid_event: 4, too_large: 2 });
    expect({ answers: { ...answers }, newest: await broker.newestId(), refused: server.hub.stats().publishesRefused }).toEqual({
      answers: {
        "no credentials": [401, "token_missing", undefined],
        "wrong credentials": [403, "publish_forbidden", undefined],
        "another workpoint": [403, "publish_forbidden", undefined],
        "a move out of the grant": [403, "publish_forbidden", undefined],
        "form body": [415, "unsupported_media_type", undefined],
        "no content type": [415, "unsupported_media_type", undefined],
        GET: [405, "method_not_allowed", undefined],
        "not JSON": [400, "invalid_event", undefined],
        "missing specialist": [400, "invalid_event", "data.specialist_id"],
        "a __proto__ key": [400, "invalid_event", expect.anything()],
        "too deep": [400, "invalid_event", expect.stringContaining("data.x")],
        oversized: [413, "too_large", undefined],
        "far oversized": [413, "too_large", undefined],
      },
      newest: before,
      refused: cases.length,
    });
  });
});

describe("hub.publisher without configuration, in the Web shape, and with Redis away", () => {
  it("answers 403 and says how to configure it when authorizePublish is not set", async () => {
    const hub = createBookingHub({ authenticate: () => null, logger: quiet });
    const response = await hub.publisher.fetch(new Request("http://hub/publish", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(event(1)) }));
    const body = (await response.json()) as { error: string; message: string };
    const newest = await hub.broker.newestId();
    await hub.close();
    expect({ status: response.status, error: body.error, says: body.message.includes("authorizePublish"), newest }).toEqual({
      status: 403,
      error: "publish_not_configured",
      says: true,
      newest: undefined,
    });
  });

  it("answers 503 with a Retry-After while the broker cannot store the event", async () => {
    const inner = memoryBroker();
    const broker: Broker = { ...inner, publish: async () => Promise.reject(new HubError("broker_timeout", "no answer")) };
    const hub = createBookingHub({ broker, authenticate: () => null, authorizePublish: () => true, logger: quiet });
    const response = await hub.publisher.fetch(new Request("http://hub/publish", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(event(1)) }));
    await hub.close();
    expect({ status: response.status, retryAfter: Number(response.headers.get("retry-after")) >= 2 }).toEqual({ status: 503, retryAfter: true });
  });
});
