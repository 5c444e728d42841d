// The client against the real hub of @realtime-bookings/server (in-memory broker) over node:http:
// the wire contract both sides code to, checked end to end with both transports.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { EventSource } from "eventsource";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { type ChangeEvent, type EventSourceConstructor, RealtimeBookings, type RefreshInfo } from "../src/index.js";

/**
 * The part of @realtime-bookings/server this test uses. It is loaded at run time (vitest resolves the
 * workspace source), so the client's type check and build never depend on the server package.
 */
interface ServerModule {
  createBookingHub(options: {
    authenticate: (request: { header(name: string): string | undefined }) => unknown;
    heartbeatMs?: number;
    retryMs?: number;
  }): Hub;
  AuthenticationError: new (reason: string, message: string, status?: 401 | 403) => Error;
}
interface Hub {
  publish(event: { type: string; data: Record<string, unknown>; origin?: string }): Promise<{ id: string }>;
  events: { node(req: IncomingMessage, res: ServerResponse): unknown };
  version: { node(req: IncomingMessage, res: ServerResponse): unknown };
  close(): Promise<void>;
}

const SERVER_PACKAGE = "@realtime-bookings/server";
let hub: Hub;
let origin = "";
const sockets = new Set<Socket>();
const server = createServer((req, res) => {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/api/bookings/events") return void hub.events.node(req, res);
  if (path === "/api/bookings/version") return void hub.version.node(req, res);
  res.writeHead(404).end();
});
server.on("connection", (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});

beforeAll(async () => {
  const { createBookingHub, AuthenticationError } = (await import(SERVER_PACKAGE)) as ServerModule;
  hub = createBookingHub({
    heartbeatMs: 1000,
    retryMs: 50,
    authenticate: (request) => {
      const authorization = request.header("authorization");
      if (authorization === "Bearer expired") throw new AuthenticationError("token_expired", "Token has expired");
      if (authorization === "Bearer specialist-3") return { role: "specialist", specialist_id: 3 };
      return { role: "admin" }; // the cookie-less EventSource of this test is an admin
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await hub.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const clients: RealtimeBookings[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

const booking = (id: number, specialist = 3) => ({ type: "create", data: { id, specialist_id: specialist, workpoint_id: 1 } });

describe.each([
  ["eventsource", { transport: "eventsource", EventSource: EventSource as unknown as EventSourceConstructor }],
  ["fetch", { transport: "fetch", EventSource: undefined }],
] as const)("with the real hub, transport: %s", (_name, { transport, EventSource: Source }) => {
  const start = (extra: Partial<ConstructorParameters<typeof RealtimeBookings>[0]> = {}) => {
    const refreshes: RefreshInfo[] = [];
    const changes: ChangeEvent[] = [];
    const client = new RealtimeBookings({
      streamUrl: `${origin}/api/bookings/events`,
      versionUrl: `${origin}/api/bookings/version`,
      transport,
      coalesceMs: 50,
      reconnect: { baseMs: 50 },
      onRefresh: (info) => {
        refreshes.push(info);
      },
      ...extra,
      environment: { EventSource: Source, onlineTarget: undefined, visibilityTarget: undefined },
    });
    client.on("change", (change) => changes.push(change));
    clients.push(client);
    return { client, refreshes, changes };
  };

  test("delivers what the hub publishes, coalesced into one refresh, with the hub's ids", async () => {
    const { client, refreshes, changes } = start({ coalesceMs: 300 }); // room for a loaded CI machine
    await vi.waitFor(() => expect(client.status).toBe("live"));
    const published = await Promise.all([1, 2, 3, 4, 5].map(async (id) => [id, (await hub.publish(booking(id))).id] as const));
    await vi.waitFor(() => expect(changes).toHaveLength(5));
    await vi.waitFor(() => expect(refreshes).toHaveLength(1));
    const byId = (a: readonly [unknown, string], b: readonly [unknown, string]): number => a[1].localeCompare(b[1], "en", { numeric: true });
    expect(changes.map((c) => [c.data.id, c.id])).toEqual([...published].sort(byId)); // in the hub's order, with its ids
    expect(client.lastEventId).toBe([...published].sort(byId).at(-1)?.[1]);
    expect(refreshes[0]?.changes).toHaveLength(5);
  });

  test("after the connection drops, resumes from the last id: what was published meanwhile arrives once, in order", async () => {
    const { client, changes } = start({ reconnect: { baseMs: 400 } });
    const trail: string[] = [];
    client.on("status", ({ current }) => trail.push(current));
    await vi.waitFor(() => expect(client.status).toBe("live"));
    await hub.publish(booking(10));
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    for (const socket of sockets) socket.destroy(); // the network drops every connection
    await hub.publish(booking(11)); // published while the client is away…
    await hub.publish(booking(12));
    await vi.waitFor(() => expect(changes).toHaveLength(3), { timeout: 3000 }); // …and replayed on resume
    expect(changes.map((c) => c.data.id)).toEqual([10, 11, 12]);
    await vi.waitFor(() => expect(client.status).toBe("live"));
    expect(trail).toContain("reconnecting");
  });

  test("takes the resume point from the hub's `ready` event: a client that has received nothing yet misses nothing after a drop", async () => {
    const before = await hub.publish(booking(30)); // the scope's newest event before the client connects
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { client, changes } = start({ reconnect: { baseMs: 300 } });
    await vi.waitFor(() => expect(client.status).toBe("live"));
    await vi.waitFor(() => expect(client.lastEventId).toBe(before.id)); // from `ready`, not from a booking
    expect(changes).toEqual([]);
    for (const socket of sockets) socket.destroy();
    await hub.publish(booking(31)); // published while the client is away
    await vi.waitFor(() => expect(changes.map((c) => c.data.id)).toEqual([31]), { timeout: 3000 });
  });

  test("no echo: the hub passes `origin` through; the acting client gets own: true and no refresh, another refreshes", async () => {
    const acting = start();
    const other = start();
    await vi.waitFor(() => expect([acting.client.status, other.client.status]).toEqual(["live", "live"]));
    await hub.publish({ ...booking(40), origin: acting.client.clientId });
    await vi.waitFor(() => expect(other.refreshes).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the 50 ms coalescing window
    expect(acting.changes.map((c) => [c.data.id, c.own])).toEqual([[40, true]]);
    expect(acting.refreshes).toEqual([]);
    expect(other.changes.map((c) => [c.data.id, c.own])).toEqual([[40, undefined]]);
  });

  test("the hub's named heartbeats keep a quiet stream live past twice the announced interval", async () => {
    const { client } = start();
    const trail: string[] = [];
    client.on("status", ({ current, reason }) => trail.push(`${current}:${reason}`));
    await vi.waitFor(() => expect(client.status).toBe("live"));
    await new Promise((resolve) => setTimeout(resolve, 3500)); // heartbeatMs is 1000: a stall would come at 2000
    expect(client.status).toBe("live");
    expect(trail).toEqual(["live:open"]);
  });

  test("the version endpoint answers the client's checks (ETag, then a change after a publish)", async () => {
    const { client, refreshes } = start({ initialVersion: -1 });
    await vi.waitFor(() => expect(refreshes.map((r) => r.reasons)).toEqual([["version"]])); // -1 is never current
    expect(client.status).toBe("live");
  });
});

describe("with the real hub, fetch only", () => {
  const make = (token: string) => {
    const changes: ChangeEvent[] = [];
    const client = new RealtimeBookings({
      streamUrl: `${origin}/api/bookings/events`,
      versionUrl: `${origin}/api/bookings/version`,
      token: () => token,
      environment: { EventSource: undefined, onlineTarget: undefined, visibilityTarget: undefined },
    });
    client.on("change", (change) => changes.push(change));
    clients.push(client);
    return { client, changes };
  };

  test("a specialist's bearer token scopes the stream to their own bookings", async () => {
    const { client, changes } = make("specialist-3");
    await vi.waitFor(() => expect(client.status).toBe("live"));
    await hub.publish(booking(20, 7));
    await hub.publish(booking(21, 3));
    await vi.waitFor(() => expect(changes).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(changes.map((c) => c.data.id)).toEqual([21]);
  });

  test("an expired token stops the client with the hub's reason", async () => {
    const { client } = make("expired");
    await vi.waitFor(() => expect(client.status).toBe("error"));
    expect(client.error).toMatchObject({ code: "unauthorized", status: 401, serverCode: "token_expired" });
  });
});
