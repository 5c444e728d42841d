// The native transport with a token (issue 14): the token travels once, in the Authorization header
// of `POST <ticketUrl>`; the EventSource opens `?ticket=`, a fresh ticket for every (re)connection.
import { afterEach, expect, test } from "vitest";
import { type EventSourceEventLike, type FetchLikeInit, RealtimeBookings } from "../src/index.js";
import { fakeBrowser } from "./support/browser.js";

type Listener = (event: EventSourceEventLike & { code?: number }) => void;
class RecordingSource {
  static made: RecordingSource[] = [];
  readonly listeners = new Map<string, Listener[]>();
  closed = false;
  constructor(readonly url: string) {
    RecordingSource.made.push(this);
  }
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  close(): void {
    this.closed = true;
  }
  fire(type: string, event: Partial<EventSourceEventLike> & { code?: number } = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as EventSourceEventLike);
  }
}

const clients: RealtimeBookings[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  RecordingSource.made = [];
});
const wait = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function start(answer: (n: number) => { status: number; body: string; headers?: Record<string, string> }) {
  const requests: Array<{ url: string; init: FetchLikeInit }> = [];
  let tokens = 0;
  const fetch = async (url: string, init: FetchLikeInit) => {
    requests.push({ url, init });
    const { status, body, headers = {} } = answer(requests.length);
    return new Response(body, { status, headers: { "Content-Type": "application/json", ...headers } });
  };
  const client = new RealtimeBookings({
    streamUrl: "/rt/events",
    transport: "eventsource",
    token: () => `secret-${++tokens}`,
    reconnect: { baseMs: 1, maxMs: 1000 },
    environment: { ...fakeBrowser().environment, fetch, EventSource: RecordingSource as never },
  });
  clients.push(client);
  return { client, requests };
}

test("exchanges the token for a ticket in a header, opens ?ticket=, and takes a fresh ticket with a fresh token on every reconnection", async () => {
  const { client, requests } = start((n) => ({ status: 200, body: JSON.stringify({ ticket: `T${n}`, expiresIn: 30 }) }));
  await wait();
  expect(client.transport).toBe("eventsource");
  expect(requests.map(({ url, init }) => [init.method, url, init.headers["Authorization"]])).toEqual([["POST", "/rt/ticket", "Bearer secret-1"]]);
  const first = RecordingSource.made[0];
  expect(first?.url).toBe("/rt/events?ticket=T1");
  first?.fire("open");
  first?.fire("booking", { data: JSON.stringify({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } }), lastEventId: "5-0" });
  expect(client.status).toBe("live");
  first?.fire("error");
  await wait(50);
  expect(requests.map(({ init }) => init.headers["Authorization"])).toEqual(["Bearer secret-1", "Bearer secret-2"]);
  expect(RecordingSource.made.map((s) => s.url)).toEqual(["/rt/events?ticket=T1", "/rt/events?lastEventId=5-0&ticket=T2"]);
  expect(RecordingSource.made.some((s) => s.url.includes("secret"))).toBe(false);
});

test("a refused ticket stops the client like a refused stream, with the hub's reason", async () => {
  const { client } = start(() => ({ status: 401, body: JSON.stringify({ error: "token_expired", message: "Sign in again." }) }));
  await wait();
  expect(client.status).toBe("error");
  expect(client.error).toMatchObject({ code: "unauthorized", status: 401, serverCode: "token_expired" });
  expect(RecordingSource.made).toEqual([]);
});

test("closing while the ticket is on its way opens no stream", async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const requests: string[] = [];
  const client = new RealtimeBookings({
    streamUrl: "/rt/events",
    transport: "eventsource",
    token: "t",
    environment: {
      ...fakeBrowser().environment,
      EventSource: RecordingSource as never,
      fetch: async (url, init) => (requests.push(url), await gate, init.signal.aborted ? Promise.reject(new DOMException("aborted", "AbortError")) : new Response('{"ticket":"T"}')),
    },
  });
  await wait();
  client.close();
  release();
  await wait();
  expect(requests).toEqual(["/rt/ticket"]);
  expect(RecordingSource.made).toEqual([]);
});
