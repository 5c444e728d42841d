// `npm run docs` as a reader meets it: the whole site rendered (not `--emit none`) with warnings as
// errors, every internal link resolving, the guides as pages, and Chromium showing the index and a
// guide laid out (screenshots in artifacts/docs/, ignored by git).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { requireBinary } from "@realtime-bookings/test-utils";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { brokenLinks } from "./support/links.js";
import { root, runNode } from "./support/run.js";

const site = mkdtempSync(join(tmpdir(), "rb-docs-site-"));
const screenshots = join(root, "artifacts/docs");
let build: { status: number | null; output: string };

/** The guides the site must hold as pages, by the title in their navigation. */
const GUIDES = [
  "Getting started with Node",
  "Adding it to a PHP app",
  "The realtime-bookings wire protocol",
  "Standalone hub (CLI)",
  "Deployment behind a proxy",
  "Scaling",
  "Security",
  "Troubleshooting",
  "Benchmarks",
];

beforeAll(() => {
  build = runNode([join(root, "node_modules/typedoc/bin/typedoc"), "--out", site], root, 170_000);
}, 180_000);
afterAll(() => rmSync(site, { recursive: true, force: true }));

describe("the documentation site (npm run docs)", () => {
  it("renders without a warning: every export documented, every link and code block language known", () => {
    const problems = build.output.split("\n").filter((line) => /\[(warning|error)\]/.test(line));
    expect(problems).toEqual([]);
    expect(build.status).toBe(0);
  });

  it("has no internal link that fails to resolve, anchors included", () => {
    expect(brokenLinks(site)).toEqual([]);
  });

  it("names its modules by package and import path, each package with its README as overview", () => {
    const index = readFileSync(join(site, "modules.html"), "utf8");
    for (const name of ["@realtime-bookings/protocol", "@realtime-bookings/server", "@realtime-bookings/client"]) expect(index).toContain(`>${name}<`);
    const server = readFileSync(join(site, "modules/_realtime-bookings_server.html"), "utf8");
    expect(server).toContain("@realtime-bookings/server/ioredis");
    expect(server).toContain("Push booking changes to every browser allowed to see them.");
    expect(readdirSync(site).filter((f) => /src|brokers/.test(f))).toEqual([]);
  });

  it("holds every guide as a page, and no guide as a raw markdown copy", () => {
    const pages = readdirSync(join(site, "documents")).map((f) => f.replace(/\.html$/, "").replace(/_/g, " "));
    for (const guide of GUIDES) expect(pages).toContain(guide.replace(/[:/]/g, " "));
    expect(pages.some((p) => p.startsWith("Reliability"))).toBe(true);
    expect(readdirSync(join(site, "media")).filter((f) => f.endsWith(".md"))).toEqual([]);
  });

  it("shows diagrams as images, not as highlighted code", () => {
    const start = readFileSync(join(site, "documents/Getting_started_with_Node.html"), "utf8");
    expect(start).toMatch(/<img [^>]*src="\.\.\/media\/architecture\.svg"/);
    expect(readFileSync(join(site, "media/architecture.svg"), "utf8")).toContain("<svg");
  });
});

const hasChromium = requireBinary("chromium", "apt-get install chromium");

const TYPES: Record<string, string> = { ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png" };

/** Serves the rendered site on 127.0.0.1, as a static host would (file:// blocks the SVG icon sprite). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    try {
      const body = readFileSync(join(dir, path.endsWith("/") ? `${path}index.html` : path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.runIf(hasChromium)("the site in Chromium", () => {
  let browser: Browser | undefined;
  let host: { server: Server; url: string } | undefined;
  beforeAll(async () => {
    host = await serve(site);
    mkdirSync(screenshots, { recursive: true });
    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      headless: true,
      timeout: 30_000,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    host?.server.close();
  });

  /** Opens a page of the site and reports what a reader would see first. */
  async function look(path: string, screenshot: string) {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on("requestfailed", (request) => failed.push(request.url()));
    page.on("response", (response) => void (response.status() >= 400 && failed.push(`${response.status()} ${response.url()}`)));
    await page.goto(`${host!.url}/${path}`, { waitUntil: "networkidle" });
    await page.waitForFunction(() => document.body.style.display !== "none", undefined, { timeout: 5_000 });
    await page.screenshot({ path: join(screenshots, screenshot), fullPage: false });
    const seen = await page.evaluate(() => {
      const box = (selector: string) => {
        const r = document.querySelector(selector)?.getBoundingClientRect();
        return r ? { left: Math.round(r.left), top: Math.round(r.top), width: Math.round(r.width), height: Math.round(r.height) } : null;
      };
      return {
        title: document.querySelector(".tsd-panel h1, .tsd-typography h1, h1")?.textContent?.trim() ?? "",
        sidebar: box(".col-sidebar .site-menu, .site-menu"),
        content: box(".col-content"),
        images: [...document.images].map((img) => ({ src: img.getAttribute("src"), width: img.naturalWidth })),
        navigation: [...document.querySelectorAll(".site-menu a, .tsd-navigation a")].map((a) => a.textContent?.trim() ?? ""),
      };
    });
    await page.close();
    return { ...seen, failed };
  }

  it("renders the index: the project's heading, a sidebar and the content side by side, styled", async () => {
    const seen = await look("index.html", "index.png");
    expect(seen.title).toBe("realtime-bookings");
    expect(seen.failed).toEqual([]);
    // Styled: the sidebar and the content stand side by side (unstyled HTML would stack them).
    expect(seen.sidebar?.width).toBeGreaterThan(150);
    expect(seen.content?.width).toBeGreaterThan(500);
    expect(seen.content?.left).toBeGreaterThanOrEqual((seen.sidebar?.left ?? 0) + (seen.sidebar?.width ?? 0));
    expect(seen.navigation).toEqual(expect.arrayContaining(["Getting started with Node", "Troubleshooting"]));
    expect(seen.images.filter((img) => img.width === 0)).toEqual([]);
  });

  it("renders a guide with its heading and its diagram drawn", async () => {
    const seen = await look("documents/Getting_started_with_Node.html", "guide.png");
    expect(seen.title).toBe("Getting started with Node");
    expect(seen.failed).toEqual([]);
    expect(seen.content?.height).toBeGreaterThan(400);
    expect(seen.images).toEqual([{ src: "../media/architecture.svg", width: 810 }]);
  });
});
