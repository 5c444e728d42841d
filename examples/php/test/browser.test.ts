import { hasRedisServer, requireBinary } from "@realtime-bookings/test-utils";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, ROOT, type Stack, hasPhpWithRedis, startStack } from "./support.js";

/**
 * The PHP page in a real browser (Debian's /usr/bin/chromium, headless): the client bundle connects
 * to the hub on another origin with the token PHP signed, and a booking change made through PHP
 * reloads exactly the pages allowed to see it.
 */
const SECRET = "php-example-secret-0123456789-abcdefghijklmnop";
const available = hasRedisServer() && hasPhpWithRedis() && requireBinary("chromium", "apt-get install chromium");
if (available && !existsSync(BUNDLE)) console.warn("!!! SKIPPING the PHP browser test: packages/client/dist/realtime-bookings.global.js is not built");

describe.skipIf(!available || !existsSync(BUNDLE))("examples/php in a real browser", () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack(SECRET);
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      timeout: 30_000,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  /** A new browser signed in through the page's form, with its real-time status live. */
  async function browserAs(user: string): Promise<{ page: Page; errors: string[]; loads: () => number }> {
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(stack.phpUrl);
    await page.selectOption('select[name="user"]', user);
    // Every form answers 303 to the same URL: wait for the new document, not for a URL change.
    await Promise.all([page.waitForEvent("load"), page.click('button[value="login"]')]);
    await page.waitForSelector('#rb-status[data-status="live"]');
    let loads = 0;
    page.on("load", () => (loads += 1));
    return { page, errors, loads: () => loads };
  }

  /** Marks the current document: the mark disappears when the page reloads. */
  const mark = (page: Page) => page.evaluate(() => ((globalThis as { mark?: number }).mark = 1));
  const marked = (page: Page) => page.evaluate(() => (globalThis as { mark?: number }).mark === 1);

  it("goes live against the hub on another origin, and reloads only the pages allowed to see a change", async () => {
    // A change in another scope first: the global counter is now ahead of specialist 3's.
    const push = spawnSync("vendor/bin/test_booking_push", ["--specialist", "5", "--workpoint", "1", "--id", "500"], { cwd: ROOT, env: { ...process.env, REDIS_URL: stack.redis.url }, encoding: "utf8", timeout: 10_000 });
    expect({ status: push.status, stderr: push.stderr }).toEqual({ status: 0, stderr: "" });
    const sara = await browserAs("spec-3");
    const theo = await browserAs("spec-4");
    const sam = await browserAs("sup-1");
    const ada = await browserAs("admin");
    await Promise.all([mark(sara.page), mark(theo.page), mark(sam.page)]);
    // Each page printed the version of ITS OWN scope (Versions::for): the client's first check finds
    // nothing new, so no page reloads (printing the global counter would reload Sara's page, in a loop).
    await new Promise((r) => setTimeout(r, 1_500));
    expect([sara.loads(), theo.loads(), sam.loads(), ada.loads()]).toEqual([0, 0, 0, 0]);

    // The admin books for Sara: the admin's page reloads from its own form; Sara's and her supervisor's from the hub.
    await ada.page.fill('input[name="client"]', "Booked by Ada");
    await ada.page.selectOption('form.card select[name="specialist_id"]', "3");
    await Promise.all([ada.page.waitForEvent("load"), ada.page.click('button[value="create"]')]);
    await ada.page.waitForSelector('#rb-status[data-status="live"]');

    await sara.page.waitForSelector('td:text("Booked by Ada")', { timeout: 10_000 });
    await sam.page.waitForSelector('td:text("Booked by Ada")', { timeout: 10_000 });
    expect([await marked(sara.page), await marked(sam.page)]).toEqual([false, false]);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await marked(theo.page)).toBe(true); // specialist 4 may not see it: no reload
    expect(await theo.page.locator('td:text("Booked by Ada")').count()).toBe(0);
    expect([...sara.errors, ...theo.errors, ...sam.errors, ...ada.errors]).toEqual([]);
  });
});
