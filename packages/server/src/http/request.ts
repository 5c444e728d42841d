import type { IncomingMessage } from "node:http";

/**
 * The request as the app's `authenticate` hook sees it, whichever shape the handler was called in.
 */
export interface HubRequest {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The request URL (path and query; the host is not trusted). */
  readonly url: URL;
  /** A request header, case-insensitive; repeated headers are joined with `, `. */
  header(name: string): string | undefined;
  /** A cookie's value, or `undefined`. */
  cookie(name: string): string | undefined;
  /** The original request: a Web `Request` or a Node `IncomingMessage`. */
  readonly raw: Request | IncomingMessage;
}

const BASE = "http://localhost";

function cookieReader(header: () => string | undefined): (name: string) => string | undefined {
  let jar: Map<string, string> | undefined;
  return (name) => {
    if (!jar) {
      jar = new Map();
      for (const part of (header() ?? "").split(";")) {
        const at = part.indexOf("=");
        if (at < 0) continue;
        const key = part.slice(0, at).trim();
        if (!key || jar.has(key)) continue;
        const raw = part.slice(at + 1).trim().replace(/^"(.*)"$/, "$1");
        try {
          jar.set(key, decodeURIComponent(raw));
        } catch {
          jar.set(key, raw);
        }
      }
    }
    return jar.get(name);
  };
}

/**
 * @param parsed - `req.url` already parsed against `http://localhost` (the standalone server routes by
 *   it), so it is not parsed twice
 * @internal
 */
export function fromNode(req: IncomingMessage, parsed?: URL): HubRequest {
  const header = (name: string): string | undefined => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  let url: URL;
  try {
    url = parsed ?? new URL(req.url ?? "/", BASE);
  } catch {
    url = new URL("/", BASE);
  }
  return { method: (req.method ?? "GET").toUpperCase(), url, header, cookie: cookieReader(() => header("cookie")), raw: req };
}

/** @internal */
export function fromFetch(request: Request): HubRequest {
  const header = (name: string): string | undefined => request.headers.get(name) ?? undefined;
  return { method: request.method.toUpperCase(), url: new URL(request.url), header, cookie: cookieReader(() => header("cookie")), raw: request };
}
