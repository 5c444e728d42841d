import { requireBinary } from "@realtime-bookings/test-utils";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoot } from "../src/paths.js";
import { addDays, today } from "../src/time.js";
import { bookingForm, signIn } from "./support/app.js";
import { type DemoProcess, runBuilt, startDemo } from "./support/demo-process.js";

/**
 * The demo as people judge it: real Chromium (Debian's /usr/bin/chromium, headless), several signed-in
 * browsers side by side, against the built demo started as `npm start` starts it.
 */
const hasChromium = requireBinary("chromium", "apt-get install chromium");

const POLL_MS = 1000;
const SHOTS = join(appRoot(), "test-results");
// A day inside the seeded fortnight, after the seed's 18:00 closing time, so nothing overlaps.
const DATE = addDays(today(), 1);
const DAY = `/?view=day&date=${DATE}`;

describe.skipIf(!hasChromium)("the demo in a real browser", () => {
  let dir: string;
  let demo: DemoProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "booking-e2e-"));
    demo = await startDemo({
      DATABASE_PATH: join(dir, "bookings.sqlite"),
      DEMO_TEST_HOOKS: "1",
      POLL_INTERVAL_MS: String(POLL_MS),
      FALLBACK_AFTER: "2",
      RECONNECT_BASE_MS: "200",
      RECONNECT_MAX_MS: "1000",
    });
    // Warm the write path once (JIT, SQLite's WAL file, the first publish), so the timed runs measure
    // the demo as someone using it sees it, not the process's first second.
    const warm = await signIn(demo.url, "admin");
    const made = (await (await warm.post("/bookings", bookingForm({ date: addDays(DATE, 1), start_time: "21:30", end_time: "21:45" }))).json()) as { booking: { id: number } };
    await warm.post(`/bookings/${made.booking.id}/cancel`, {});
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      timeout: 30_000,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A new browser (its own cookies and storage), signed in through the sign-in page. */
  async function browserAs(login: string, path = DAY): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    contexts.push(context);
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    page.on("pageerror", (error) => console.error(`[${login}] page error: ${error.message}`));
    page.on("console", (message) => {
      // The page's own warnings (a failed refresh); the browser's network errors are expected here.
      if (message.type() === "warning") console.warn(`[${login}] console: ${message.text()}`);
    });
    await page.goto(`${demo.url}/login`);
    await page.click(`button[data-login="${login}"]`);
    await page.waitForURL(`${demo.url}/`);
    await page.goto(`${demo.url}${path}`);
    await waitForStatus(page, "live");
    return page;
  }

  const waitForStatus = (page: Page, status: string, timeout = 10_000): Promise<unknown> =>
    page.waitForSelector(`.rb-status[data-status="${status}"]`, { timeout });
  const row = (page: Page, id: number): string => `[data-booking-id="${id}"]`;
  const shot = (page: Page, name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const changesReceived = async (page: Page): Promise<number> => Number((await page.getAttribute("#last-update", "data-changes")) ?? 0);

  /**
   * How long after `since` (epoch ms, this machine's clock) the page last swapped its view in after a
   * push or poll, as the page itself recorded it: Playwright's own polling is not counted.
   */
  async function refreshedSince(page: Page, since: number): Promise<number> {
    const at = Number(await page.getAttribute("#last-update", "data-refreshed-at"));
    const change = Number(await page.getAttribute("#last-update", "data-change-at"));
    console.log(`[e2e] ${change > since ? `event arrived after ${change - since} ms, ` : ""}view refreshed after ${at - since} ms`);
    return at - since;
  }

  /** Waits until the booking's row shows up, failing after `ms`; returns how long it took. */
  async function appears(page: Page, id: number, ms: number): Promise<number> {
    const started = Date.now();
    await page.waitForSelector(row(page, id), { state: "attached", timeout: ms });
    return Date.now() - started;
  }
  async function disappears(page: Page, id: number, ms: number): Promise<number> {
    const started = Date.now();
    await page.waitForSelector(row(page, id), { state: "detached", timeout: ms });
    return Date.now() - started;
  }

  describe("three browsers: a specialist, their supervisor, a specialist of the other workpoint", () => {
    let specialist: Page;
    let supervisor: Page;
    let outsider: Page;
    let otherSupervisor: Page;
    let admin: Page;
    let bookingId = 0;

    beforeAll(async () => {
      [specialist, supervisor, outsider, otherSupervisor, admin] = await Promise.all(
        ["specialist-1", "supervisor-1", "specialist-4", "supervisor-2", "admin"].map((login) => browserAs(login)),
      ) as [Page, Page, Page, Page, Page];
    });

    it("a booking created by the specialist appears for the supervisor within 1 s, highlighted, and never reaches the other workpoint", async () => {
      await specialist.click("#new-booking");
      await specialist.fill("#f-client_full_name", "Erika Browser");
      await specialist.fill("#f-name_of_service", "Haircut");
      await specialist.fill("#f-start_time", "20:00");
      await specialist.fill("#f-end_time", "20:30");
      const [response] = await Promise.all([
        specialist.waitForResponse((r) => r.url() === `${demo.url}/bookings` && r.request().method() === "POST"),
        specialist.click("#booking-save"),
      ]);
      // From the moment the browser sent the booking (not counting Playwright's click machinery).
      const saved = response.request().timing().startTime;
      expect(response.status()).toBe(201);
      bookingId = ((await response.json()) as { booking: { id: number } }).booking.id;

      await appears(supervisor, bookingId, 2000);
      const latency = await refreshedSince(supervisor, saved);
      expect(await supervisor.getAttribute(row(supervisor, bookingId), "data-changed")).toBe("added");
      await shot(supervisor, "1-supervisor-sees-new-booking");
      expect(latency).toBeLessThan(1000);
      expect(await specialist.isVisible(row(specialist, bookingId))).toBe(true);
      expect(await specialist.isVisible("#booking-dialog")).toBe(false);

      await outsider.waitForTimeout(1000);
      expect(await outsider.$(row(outsider, bookingId))).toBeNull();
      expect(await changesReceived(outsider)).toBe(0);
      await shot(outsider, "1-other-workpoint-sees-nothing");
    });

    it("a move to the other workpoint reaches both supervisors", async () => {
      await appears(admin, bookingId, 2000);
      await admin.click(`[data-action="edit"][data-id="${bookingId}"]`);
      await admin.waitForSelector("#booking-dialog[open]");
      expect(await admin.inputValue("#f-client_full_name")).toBe("Erika Browser");
      await admin.selectOption("#f-id_work_place", "2");
      const [response] = await Promise.all([admin.waitForResponse((r) => r.url() === `${demo.url}/bookings/${bookingId}`), admin.click("#booking-save")]);
      const saved = response.request().timing().startTime;
      expect(response.status()).toBe(200);

      await Promise.all([appears(otherSupervisor, bookingId, 2000), disappears(supervisor, bookingId, 2000)]);
      expect(await refreshedSince(otherSupervisor, saved)).toBeLessThan(1000);
      expect(await refreshedSince(supervisor, saved)).toBeLessThan(1000);
      await specialist.waitForFunction(
        (selector) => document.querySelector(`${selector} .workpoint`)?.textContent === "Riverside Clinic",
        row(specialist, bookingId),
        { timeout: 2000 },
      );
      expect(await refreshedSince(specialist, saved)).toBeLessThan(1000);
      await shot(otherSupervisor, "2-moved-booking-arrives");
      expect(await changesReceived(outsider)).toBe(0);
    });

    it("a cancel removes it everywhere it was shown", async () => {
      await otherSupervisor.click(`[data-action="cancel"][data-id="${bookingId}"]`);
      await otherSupervisor.waitForSelector("#cancel-dialog[open]");
      const [response] = await Promise.all([
        otherSupervisor.waitForResponse((r) => r.url() === `${demo.url}/bookings/${bookingId}/cancel`),
        otherSupervisor.click("#cancel-confirm"),
      ]);
      expect(response.status()).toBe(200);
      const saved = response.request().timing().startTime;
      await Promise.all([disappears(specialist, bookingId, 2000), disappears(admin, bookingId, 2000), disappears(otherSupervisor, bookingId, 2000)]);
      expect(await refreshedSince(specialist, saved)).toBeLessThan(1000);
      expect(await refreshedSince(admin, saved)).toBeLessThan(1000);
      await shot(specialist, "3-cancelled-booking-gone");
      expect(await changesReceived(outsider)).toBe(0);
    });

    it("a refresh keeps the scroll position and an open form with what was typed", async () => {
      await supervisor.goto(`${demo.url}/?view=week&date=${DATE}`);
      await waitForStatus(supervisor, "live");
      // Scroll, then open the form by script (a Playwright click would scroll the button into view).
      await supervisor.evaluate(() => {
        window.scrollTo(0, 700);
        document.querySelector<HTMLButtonElement>("#new-booking")?.click();
      });
      await supervisor.fill("#f-client_full_name", "Half typed");
      const scrolled = await supervisor.evaluate(() => window.scrollY);
      expect(scrolled).toBeGreaterThan(300);

      const other = await signIn(demo.url, "supervisor-1");
      const created = await other.post("/bookings", bookingForm({ id_specialist: 2, date: DATE, start_time: "21:00", end_time: "21:30", client_full_name: "Pushed Meanwhile" }));
      const { booking } = (await created.json()) as { booking: { id: number } };
      await appears(supervisor, booking.id, 2000);
      expect(await supervisor.evaluate(() => window.scrollY)).toBe(scrolled);
      expect(await supervisor.isVisible("#booking-dialog")).toBe(true);
      expect(await supervisor.inputValue("#f-client_full_name")).toBe("Half typed");
      await shot(supervisor, "4-refresh-keeps-open-form");
      await supervisor.click("#booking-dialog [data-close]");
    });

    it("an open edit form says when someone else changes or cancels its booking", async () => {
      const other = await signIn(demo.url, "admin");
      const made = await other.post("/bookings", bookingForm({ id_specialist: 3, date: DATE, start_time: "21:00", end_time: "21:30", client_full_name: "Being Edited" }));
      const { booking } = (await made.json()) as { booking: { id: number } };
      await supervisor.goto(`${demo.url}${DAY}`);
      await waitForStatus(supervisor, "live");
      await supervisor.click(`[data-action="edit"][data-id="${booking.id}"]`);
      await supervisor.waitForSelector("#booking-dialog[open]");

      await other.post(`/bookings/${booking.id}`, bookingForm({ id_specialist: 3, date: DATE, start_time: "21:00", end_time: "21:45", client_full_name: "Being Edited", revision: 1 }));
      await supervisor.waitForSelector("#booking-form .form-notice:not([hidden])", { timeout: 2000 });
      expect(await supervisor.textContent("#booking-form .form-notice")).toContain("just changed by someone else");
      // Saving the stale form is refused, not silently overwriting the other change.
      await supervisor.click("#booking-save");
      await supervisor.waitForSelector("#booking-form .form-error:not([hidden])");
      expect(await supervisor.textContent("#booking-form .form-error")).toContain("Someone changed this booking");

      await other.post(`/bookings/${booking.id}/cancel`, {});
      await supervisor.waitForFunction(() => document.querySelector("#booking-form .form-notice")?.textContent?.includes("cancelled by someone else"), undefined, { timeout: 2000 });
      expect(await supervisor.isDisabled("#booking-save")).toBe(true);
      await shot(supervisor, "5-open-form-told-of-cancel");
      await supervisor.click("#booking-dialog [data-close]");
    });

    it("`npm run book` in a terminal refreshes an open browser", async () => {
      const started = Date.now();
      const result = await runBuilt("cli/book.js", ["--specialist", "1", "--date", DATE, "--start", "21:30", "--client", "Terminal Test", "--url", demo.url], {
        DATABASE_PATH: join(dir, "bookings.sqlite"),
      });
      expect(result).toMatchObject({ code: 0 });
      const id = Number(/created #(\d+)/.exec(result.stdout)?.[1]);
      await appears(specialist, id, 2000);
      console.log(`[e2e] npm run book took ${Date.now() - started} ms to show (including starting node)`);
      expect(await specialist.textContent(`${row(specialist, id)} .client-name`)).toBe("Terminal Test");
    });
  });

  it("the status button: live, server stopped, polling fallback, back to SSE, offline, off across a reload, signed out", async () => {
    const page = await browserAs("specialist-2");
    const button = ".rb-status";
    expect(await page.textContent(button)).toContain("🟢");
    await shot(page, "status-1-live");

    // Server stopped → 🟡 reconnecting.
    await demo.stop();
    await waitForStatus(page, "reconnecting");
    expect(await page.textContent(button)).toContain("🟡");
    await shot(page, "status-2-server-stopped");

    // Back up → live again by itself.
    await demo.start();
    await waitForStatus(page, "live", 15_000);

    // SSE refused while versions answer → 🟢 "Polling", and changes still arrive within the poll interval.
    const hook = (mode: string): Promise<Response> =>
      fetch(`${demo.url}/__demo/streams`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ mode }) });
    expect((await hook("refuse")).status).toBe(200);
    try {
      await waitForStatus(page, "polling", 15_000);
      expect(await page.textContent(button)).toBe("🟢Polling");
      await shot(page, "status-3-polling");
      const admin = await signIn(demo.url, "admin");
      const saved = Date.now();
      const created = await admin.post("/bookings", bookingForm({ id_specialist: 2, date: DATE, start_time: "20:00", end_time: "20:45", client_full_name: "Polled In" }));
      expect(created.status).toBe(201);
      const { booking } = (await created.json()) as { booking: { id: number } };
      await appears(page, booking.id, POLL_MS + 2000);
      // Within one poll period, plus the fetch of the view.
      expect(await refreshedSince(page, saved)).toBeLessThan(POLL_MS + 500);
    } finally {
      await hook("accept");
    }
    // SSE is retried in the background: back to live once it answers again.
    await waitForStatus(page, "live", 15_000);

    // The browser goes offline → 🔴 Disconnected; back online → live at once.
    await page.context().setOffline(true);
    await waitForStatus(page, "offline");
    expect(await page.textContent(button)).toBe("🔴Disconnected");
    await shot(page, "status-5-offline");
    await page.context().setOffline(false);
    await waitForStatus(page, "live", 15_000);

    // A click turns real-time off, and the choice survives a reload.
    await page.click(button);
    await waitForStatus(page, "disabled");
    expect(await page.getAttribute(button, "aria-pressed")).toBe("false");
    await shot(page, "status-4-disabled");
    await page.reload();
    await page.waitForSelector(`${button}[data-status]`);
    await page.waitForTimeout(500);
    expect(await page.getAttribute(button, "data-status")).toBe("disabled");
    await page.click(button);
    await waitForStatus(page, "live");

    // Signing out (here in another tab) ends the stream; the session is gone, so the SDK stops: 🔴.
    const other = await page.context().newPage();
    await other.goto(`${demo.url}/`);
    await other.click(".logout button");
    await other.waitForURL(`${demo.url}/login`);
    await waitForStatus(page, "error", 15_000);
    expect(await page.textContent(button)).toBe("🔴Disconnected");
    await shot(page, "status-6-signed-out");
  });
});
