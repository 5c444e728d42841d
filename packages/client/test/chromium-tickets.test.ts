// Credential rotation in real Chromium on BOTH transports (issue 14): the built <script> bundle against
// the real hub, tokens valid for 5 s (the hub sends `reauth` 1 s before expiry and ends the stream at
// expiry), 60 s of streaming while events are published every 100 ms. The native EventSource gets a
// single-use ticket (POST /ticket, token in the Authorization header) for every stream; the fetch
// transport sends the header itself. Either way: the status never leaves live, no event is lost or
// doubled, and no URL (as Chromium requested it, or as the hub's server saw it) carries a token.
import { readFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireBinary } from "@realtime-bookings/test-utils";
import { chromium } from "playwright-core";
import { describe, expect, test, vi } from "vitest";

const hasChromium = requireBinary("chromium", "apt-get install chromium");
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const TTL_MS = 5000;
const STREAM_MS = 60_000;

type Handler = { node(req: IncomingMessage, res: ServerResponse): unknown };
interface Hub {
  publish(event: { type: string; data: Record<string, unknown> }): Promise<{ id: string }>;
  events: Handler;
  version: Handler;
  ticket: Handler;
  stats(): { ticketsIssued: number; ticketsRefused: Record<string, number> };
  close(): Promise<void>;
}
interface PageLog {
  ids: number[];
  statuses: Array<{ status: string; reason: string }>;
  tokens: number;
  errors: string[];
}

// The token says when it expires: "tok_<expiresAt>". The token function mints one valid for 5 s.
const page = (transport: string): string => `<!doctype html><meta charset="utf-8"><title>tickets</title>
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

describe.skipIf(!hasChromium)("5 s tokens for 60 s in real Chromium", () => {
  test.each(["eventsource", "fetch"])("on the %s transport: always live, nothing lost or doubled, no token in any URL", async (transport) => {
    const { createBookingHub } = (await import("@realtime-bookings/server")) as unknown as { createBookingHub(options: Record<string, unknown>): Hub };
    const hub = createBookingHub({
      heartbeatMs: 2000,
      reauthLeadMs: 1000,
      authenticate: (request: { header(name: string): string | undefined }) => {
        const match = /^Bearer tok_(\d+)$/.exec(request.header("authorization") ?? "");
        return match ? { viewer: { role: "admin" }, key: "admin", expiresAt: Number(match[1]) } : null;
      },
    });
    const seen: string[] = []; // the hub server's own access log
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
      const urls: string[] = [];
      tab.on("request", (request) => urls.push(`${request.method()} ${request.url()}`));
      await tab.goto(`${origin}/page.html`);
      const read = (): Promise<PageLog> => tab.evaluate(() => (window as unknown as { log: PageLog }).log);
      await vi.waitFor(async () => expect((await read()).statuses.at(-1)?.status).toBe("live"), { timeout: 5000, interval: 50 });

      const published: number[] = [];
      const until = Date.now() + STREAM_MS;
      for (let id = 1; Date.now() < until; id++) {
        await hub.publish({ type: "update", data: { id, specialist_id: 3, workpoint_id: 1 } });
        published.push(id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await vi.waitFor(async () => expect((await read()).ids.length).toBeGreaterThanOrEqual(published.length), { timeout: 5000, interval: 50 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const log = await read();
      const streams = seen.filter((url) => url.startsWith("/api/bookings/events")).length;
      const tickets = urls.filter((url) => url.startsWith("POST ") && url.endsWith("/api/bookings/ticket")).length;

      console.log(`[chromium] ${transport}: ${streams} streams and ${tickets} tickets in ${STREAM_MS / 1000} s, ${log.tokens} token calls, ${log.ids.length} events`);
      expect(log.statuses).toEqual([{ status: "live", reason: "open" }]); // never away from live
      expect(log.errors).toEqual([]);
      expect(log.ids).toEqual(published); // none lost, none doubled, in order
      expect(streams).toBeGreaterThanOrEqual(12); // a rotation every ~4 s
      expect(urls.filter((url) => /tok_|token=/i.test(url))).toEqual([]);
      expect(seen.filter((url) => /tok_|token=/i.test(url))).toEqual([]);
      if (transport === "eventsource") {
        // Every stream was opened with its own ticket, each used once.
        expect(tickets).toBe(streams);
        expect(seen.filter((url) => url.startsWith("/api/bookings/events")).every((url) => /[?&]ticket=[A-Za-z0-9_-]{32}(&|$)/.test(url))).toBe(true);
        expect(hub.stats()).toMatchObject({ ticketsIssued: streams, ticketsRefused: { ticket_used: 0, ticket_expired: 0, ticket_unknown: 0, too_many_tickets: 0 } });
      } else {
        expect(tickets).toBe(0);
      }
    } finally {
      await browser.close();
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 120_000);
});
