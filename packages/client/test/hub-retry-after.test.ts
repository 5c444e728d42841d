// The client against the real hub at its connection cap (issue 14): the hub answers 429 with a
// jittered Retry-After of 1 to 3 s, and the fetch transport comes back no sooner than that.
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, vi } from "vitest";
import { RealtimeBookings, type RealtimeBookingsError, type StatusChangeEvent } from "../src/index.js";

interface Hub {
  events: { node(req: IncomingMessage, res: ServerResponse): unknown };
  close(): Promise<void>;
}
interface ServerModule {
  createBookingHub(options: Record<string, unknown>): Hub;
}

test("a hub at its cap answers 429 + Retry-After: the next attempt waits at least that long, reason retry_after", async () => {
  const { createBookingHub } = (await import("@realtime-bookings/server")) as unknown as ServerModule;
  const hub = createBookingHub({ maxConnections: 1, authenticate: () => ({ role: "admin" }) });
  const requests: number[] = [];
  const server = createServer((req, res) => void (requests.push(Date.now()), hub.events.node(req, res)));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const streamUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  const first = new RealtimeBookings({ streamUrl, transport: "fetch" });
  const second = new RealtimeBookings({ streamUrl, transport: "fetch", enabled: false });
  try {
    await vi.waitFor(() => expect(first.status).toBe("live"), { timeout: 3000, interval: 20 });
    const errors: RealtimeBookingsError[] = [];
    const statuses: StatusChangeEvent[] = [];
    second.on("error", (error) => errors.push(error));
    second.on("status", (event) => statuses.push(event));
    second.enable();
    await vi.waitFor(() => expect(errors).toHaveLength(1), { timeout: 3000, interval: 20 });
    const refusedAt = Date.now();
    const refused = errors[0]!;
    expect(refused).toMatchObject({ code: "http_error", status: 429, serverCode: undefined });
    expect([1000, 2000, 3000]).toContain(refused.retryAfterMs);
    expect(statuses.at(-1)).toMatchObject({ current: "reconnecting", reason: "retry_after" });
    const seen = requests.length;
    first.close(); // room again: still, not before Retry-After
    await vi.waitFor(() => expect(second.status).toBe("live"), { timeout: 6000, interval: 20 });
    expect(requests.length).toBe(seen + 1);
    expect(requests.at(-1)! - refusedAt).toBeGreaterThanOrEqual(refused.retryAfterMs! - 50);
  } finally {
    first.close();
    second.close();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}, 20_000);
