// Both transports against a real node:http server streaming SSE over a real socket: the native one
// through the `eventsource` package (a spec-compliant EventSource for Node), fetch through Node's own.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EventSource } from "eventsource";
import { encodeSseMessage } from "@realtime-bookings/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { type EventSourceConstructor, RealtimeBookings, type RefreshInfo } from "../src/index.js";

interface Seen {
  url: URL;
  lastEventIdHeader: string | undefined;
  response: ServerResponse;
}

const seen: Seen[] = [];
let version = 1;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  const url = new URL(request.url ?? "/", "http://localhost");
  if (url.pathname === "/version") {
    response.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "private, no-store", ETag: `"v${version}"` });
    response.end(JSON.stringify({ version }));
  } else if (url.pathname === "/denied") {
    response.writeHead(401, { "Content-Type": "application/json" });
    response.end(JSON.stringify({ error: "unauthenticated", message: "Sign in" }));
  } else if (url.pathname === "/events") {
    response.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform" });
    response.write("retry: 40\n\n");
    seen.push({ url, lastEventIdHeader: request.headers["last-event-id"] as string | undefined, response });
  } else {
    response.writeHead(404).end();
  }
});
let origin = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const clients: RealtimeBookings[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const s of seen.splice(0)) s.response.destroy();
});

const frame = (id: string, bookingId: number): string =>
  encodeSseMessage({ event: "booking", id, data: JSON.stringify({ type: "update", data: { id: bookingId, specialist_id: 3, workpoint_id: 1 } }) });

describe.each([
  ["eventsource", { transport: "eventsource", EventSource: EventSource as unknown as EventSourceConstructor }],
  ["fetch", { transport: "fetch", EventSource: undefined }],
] as const)("real server, transport: %s", (name, { transport, EventSource: Source }) => {
  const make = (path: string, refreshes: RefreshInfo[]): RealtimeBookings => {
    const client = new RealtimeBookings({
      streamUrl: `${origin}${path}`,
      versionUrl: `${origin}/version`,
      transport,
      coalesceMs: 50,
      reconnect: { baseMs: 30 },
      onRefresh: (info) => {
        refreshes.push(info);
      },
      environment: { EventSource: Source, onlineTarget: undefined, visibilityTarget: undefined },
    });
    clients.push(client);
    return client;
  };

  test("streams events, refreshes once per burst, and resumes from the last id after the server ends the stream", async () => {
    const refreshes: RefreshInfo[] = [];
    const client = make("/events", refreshes);
    await vi.waitFor(() => expect(client.status).toBe("live"));
    expect(client.transport).toBe(name);

    const first = seen[0]!;
    first.response.write(frame("1732800000000-0", 1) + frame("1732800000000-1", 2) + frame("1732800000000-2", 3));
    first.response.write(frame("1732800000000-3", 4));
    await vi.waitFor(() => expect(refreshes).toHaveLength(1));
    expect(refreshes[0]?.changes.map((c) => c.data.id)).toEqual([1, 2, 3, 4]);

    first.response.end(); // graceful shutdown
    await vi.waitFor(() => expect(seen).toHaveLength(2));
    const second = seen[1]!;
    expect(second.url.searchParams.get("lastEventId")).toBe("1732800000000-3");
    expect(second.lastEventIdHeader).toBe(transport === "fetch" ? "1732800000000-3" : undefined);
    await vi.waitFor(() => expect(client.status).toBe("live"));

    second.response.write(frame("1732800000000-4", 5));
    await vi.waitFor(() => expect(refreshes).toHaveLength(2));
    expect(client.lastEventId).toBe("1732800000000-4");
  });

  test("stops on 401 instead of hammering the server", async () => {
    const client = make("/denied", []);
    await vi.waitFor(() => expect(client.status).toBe("error"));
    expect(client.error?.code).toBe("unauthorized");
    if (transport === "fetch") expect(client.error?.serverCode).toBe("unauthenticated");
  });

  test("a refresh arrives within a second of the change", async () => {
    const refreshes: RefreshInfo[] = [];
    const client = make("/events", refreshes);
    await vi.waitFor(() => expect(client.status).toBe("live"));
    const sentAt = Date.now();
    seen[0]!.response.write(frame("1732800000001-0", 9));
    await vi.waitFor(() => expect(refreshes).toHaveLength(1));
    expect(Date.now() - sentAt).toBeLessThan(1000);
  });
});
