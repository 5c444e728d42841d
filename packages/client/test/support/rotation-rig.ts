// The real-Chromium rotation rig (issue 14): the built <script> bundle on a page served beside the real
// hub, whose tokens ("tok_<expiresAt>", minted by the page's token function) are valid for 5 s: the hub
// sends `reauth` 1 s before expiry and ends the stream at expiry. Events are published every 100 ms
// for the run; the rig returns what the page saw, what Chromium requested and what the server was asked.
import { readFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { expect, vi } from "vitest";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));
const TTL_MS = 5000;

type Handler = { node(req: IncomingMessage, res: ServerResponse): unknown };
/** The hub, as the rig uses it (from the built server package). */
export interface RigHub {
  publish(event: { type: string; data: Record<string, unknown> }): Promise<{ id: string }>;
  events: Handler;
  version: Handler;
  ticket: Handler;
  stats(): { ticketsIssued: number; ticketsRefused: Record<string, number> };
  close(): Promise<void>;
}
/** What the page recorded. */
export interface PageLog {
  ids: number[];
  statuses: Array<{ status: string; reason: string }>;
  tokens: number;
  errors: string[];
}
/** One finished run. */
export interface RotationRun {
  readonly hub: RigHub;
  readonly log: PageLog;
  readonly published: number[];
  /** Every request Chromium made, as `METHOD url`. */
  readonly requests: string[];
  /** Every request URL the server saw (path and query): its access log. */
  readonly seen: string[];
  /** Stream requests the server saw. */
  readonly streams: number;
}

const page = (transport: string): string => `<!doctype html><meta charset="utf-8"><title>rotation</title>
<script src="/realtime-bookings.global.js"></script>
<script>
  window.log = { ids: [], statuses: [], tokens: 0, errors: [] };
  window.rt = new RealtimeBookings({
    streamUrl: "/api/bookings/events",
    versionUrl: "/api/bookings/version",
    transport: "${transport}",
    token: () => (log.tokens++, "tok_" + (Date.now() + ${TTL_MS})),
  });
  rt.on("change", (c) => log.ids.push(c.data.id));
  rt.on("status", (s) => log.statuses.push({ status: s.current, reason: s.reason }));
  rt.on("error", (e) => log.errors.push(e.message));
</script>`;

/** Streams for `streamMs` on `transport` in real Chromium, then hands the run to `check`. */
export async function runRotation(transport: "eventsource" | "fetch", streamMs: number, check: (run: RotationRun) => void | Promise<void>): Promise<void> {
  const { createBookingHub } = (await import("@realtime-bookings/server")) as unknown as { createBookingHub(options: Record<string, unknown>): RigHub };
  const hub = createBookingHub({
    heartbeatMs: 2000,
    reauthLeadMs: 1000,
    authenticate: (request: { header(name: string): string | undefined }) => {
      const match = /^Bearer tok_(\d+)$/.exec(request.header("authorization") ?? "");
      return match ? { viewer: { role: "admin" }, key: "admin", expiresAt: Number(match[1]) } : null;
    },
  });
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/api/bookings/events") return void hub.events.node(req, res);
    if (path === "/api/bookings/version") return void hub.version.node(req, res);
    if (path === "/api/bookings/ticket") return void hub.ticket.node(req, res);
    if (path === "/page.html") return void res.writeHead(200, { "Content-Type": "text/html" }).end(page(transport));
    if (path === "/realtime-bookings.global.js") return void res.writeHead(200, { "Content-Type": "text/javascript" }).end(readFileSync(join(DIST, path)));
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    timeout: 30_000,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const tab = await browser.newPage();
    const requests: string[] = [];
    tab.on("request", (request) => requests.push(`${request.method()} ${request.url()}`));
    await tab.goto(`${origin}/page.html`);
    const read = (): Promise<PageLog> => tab.evaluate(() => (window as unknown as { log: PageLog }).log);
    await vi.waitFor(async () => expect((await read()).statuses.at(-1)?.status).toBe("live"), { timeout: 5000, interval: 50 });
    const published: number[] = [];
    const until = Date.now() + streamMs;
    for (let id = 1; Date.now() < until; id++) {
      await hub.publish({ type: "update", data: { id, specialist_id: 3, workpoint_id: 1 } });
      published.push(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await vi.waitFor(async () => expect((await read()).ids.length).toBeGreaterThanOrEqual(published.length), { timeout: 5000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const streams = seen.filter((url) => url.startsWith("/api/bookings/events")).length;
    await check({ hub, log: await read(), published, requests, seen, streams });
  } finally {
    await browser.close();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
