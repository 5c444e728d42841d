// Credential rotation in real Chromium (issue 14): the built <script> bundle on the fetch transport,
// against the real hub, with tokens valid for 5 s (the hub sends `reauth` 1 s before expiry and ends
// the stream at expiry) for 20 s while events are published every 100 ms: the status never leaves
// live, no event is lost or doubled, and no URL Chromium requested carries a token.
import { readFileSync } from "node:fs";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireBinary } from "@realtime-bookings/test-utils";
import { chromium } from "playwright-core";
import { expect, test, vi } from "vitest";

const hasChromium = requireBinary("chromium", "apt-get install chromium");
const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const TTL_MS = 5000;

interface Hub {
  publish(event: { type: string; data: Record<string, unknown> }): Promise<{ id: string }>;
  events: { node(req: IncomingMessage, res: ServerResponse): unknown };
  version: { node(req: IncomingMessage, res: ServerResponse): unknown };
  close(): Promise<void>;
}
interface ServerModule {
  createBookingHub(options: Record<string, unknown>): Hub;
}
interface PageLog {
  ids: number[];
  statuses: Array<{ status: string; reason: string }>;
  tokens: number;
  errors: string[];
}

// The token says when it expires: "tok_<expiresAt>". The token function mints one valid for 5 s.
const PAGE = `<!doctype html><meta charset="utf-8"><title>rotation</title>
<script src="/realtime-bookings.global.js"></script>
<script>
  window.log = { ids: [], statuses: [], tokens: 0, errors: [] };
  window.rt = new RealtimeBookings({
    streamUrl: "/api/bookings/events",
    versionUrl: "/api/bookings/version",
    transport: "fetch",
    token: () => (log.tokens++, "tok_" + (Date.now() + ${TTL_MS})),
  });
  rt.on("change", (c) => log.ids.push(c.data.id));
  rt.on("status", (s) => log.statuses.push({ status: s.current, reason: s.reason }));
  rt.on("error", (e) => log.errors.push(e.message));
</script>`;

test.skipIf(!hasChromium)("5 s tokens for 20 s on the fetch transport: always live, nothing lost or doubled, no token in any URL", async () => {
  const { createBookingHub } = (await import("@realtime-bookings/server")) as unknown as ServerModule;
  let streams = 0;
  const hub = createBookingHub({
    heartbeatMs: 2000,
    reauthLeadMs: 1000,
    authenticate: (request: { header(name: string): string | undefined }) => {
      const match = /^Bearer tok_(\d+)$/.exec(request.header("authorization") ?? "");
      return match ? { viewer: { role: "admin" }, key: "admin", expiresAt: Number(match[1]) } : null;
    },
  });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/api/bookings/events") return void (streams++, hub.events.node(req, res));
    if (path === "/api/bookings/version") return void hub.version.node(req, res);
    if (path === "/page.html") return void res.writeHead(200, { "Content-Type": "text/html" }).end(PAGE);
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
    const page = await browser.newPage();
    const urls: string[] = [];
    page.on("request", (request) => urls.push(request.url()));
    await page.goto(`${origin}/page.html`);
    const read = (): Promise<PageLog> => page.evaluate(() => (window as unknown as { log: PageLog }).log);
    await vi.waitFor(async () => expect((await read()).statuses.at(-1)?.status).toBe("live"), { timeout: 5000, interval: 50 });

    const published: number[] = [];
    const until = Date.now() + 20_000;
    for (let id = 1; Date.now() < until; id++) {
      await hub.publish({ type: "update", data: { id, specialist_id: 3, workpoint_id: 1 } });
      published.push(id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await vi.waitFor(async () => expect((await read()).ids.length).toBeGreaterThanOrEqual(published.length), { timeout: 3000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const log = await read();

    console.log(`[chromium] rotation: ${streams} streams in 20 s, ${log.tokens} token calls, ${log.ids.length} events`);
    expect(log.statuses).toEqual([{ status: "live", reason: "open" }]); // never away from live
    expect(log.errors).toEqual([]);
    expect(log.ids).toEqual(published); // none lost, none doubled, in order
    expect(streams).toBeGreaterThanOrEqual(5); // a rotation every ~4 s
    expect(log.tokens).toBe(streams + 1); // one per stream (so one per rotation), one for the version check
    expect(urls.filter((url) => url.includes("/api/bookings/events")).length).toBe(streams);
    expect(urls.filter((url) => /tok_|token/i.test(url))).toEqual([]);
  } finally {
    await browser.close();
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}, 60_000);
