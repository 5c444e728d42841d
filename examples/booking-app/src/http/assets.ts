import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { appRoot } from "../paths.js";

type Asset = { readonly file: string; readonly type: string; readonly missing: string };

/** The browser SDK's `<script>` bundle, as built in the client package. */
export function sdkBundlePath(): string {
  const manifest = createRequire(import.meta.url).resolve("@realtime-bookings/client/package.json");
  return join(dirname(manifest), "dist", "realtime-bookings.global.js");
}

/**
 * The files the page loads, by URL. A fixed map: no path from the request ever reaches the file
 * system. Each is read once, then served from memory with an ETag.
 */
function assetMap(): Record<string, Asset> {
  const root = appRoot();
  const build = "run `npm run build` at the repository root";
  const sdk = sdkBundlePath();
  return {
    "/assets/app.js": { file: join(root, "dist", "public", "app.js"), type: "text/javascript; charset=utf-8", missing: build },
    "/assets/app.js.map": { file: join(root, "dist", "public", "app.js.map"), type: "application/json", missing: build },
    "/assets/style.css": { file: join(root, "public", "style.css"), type: "text/css; charset=utf-8", missing: "public/style.css is missing" },
    "/assets/favicon.svg": { file: join(root, "public", "favicon.svg"), type: "image/svg+xml", missing: "public/favicon.svg is missing" },
    "/assets/realtime-bookings.js": { file: sdk, type: "text/javascript; charset=utf-8", missing: build },
    "/assets/realtime-bookings.global.js.map": { file: `${sdk}.map`, type: "application/json", missing: build },
  };
}

/** Serves the page's static files; returns `false` for any other path. */
export function createAssetHandler(): (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean {
  const assets = assetMap();
  const cache = new Map<string, { body: Buffer; etag: string }>();
  return (req, res, pathname) => {
    const asset = assets[pathname];
    if (!asset) return false;
    let entry = cache.get(pathname);
    if (!entry) {
      let body: Buffer;
      try {
        body = readFileSync(asset.file);
      } catch {
        res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end(`${pathname} is not built yet: ${asset.missing}.\n`);
        return true;
      }
      entry = { body, etag: `"${createHash("sha1").update(body).digest("base64url").slice(0, 16)}"` };
      cache.set(pathname, entry);
    }
    const headers = { "Content-Type": asset.type, ETag: entry.etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff" };
    if (req.headers["if-none-match"] === entry.etag) res.writeHead(304, headers).end();
    else res.writeHead(200, { ...headers, "Content-Length": String(entry.body.length) }).end(req.method === "HEAD" ? undefined : entry.body);
    return true;
  };
}
