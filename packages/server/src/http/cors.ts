import type { HubRequest } from "./request.js";

/**
 * Cross-origin access for a hub served on another origin than the app's pages.
 */
export interface CorsOptions {
  /**
   * The origins allowed, exactly as browsers send them (`https://app.example.com`), or a predicate.
   * An arbitrary origin is never reflected: a request from an origin not allowed gets 403 and no stream.
   */
  readonly origins: readonly string[] | ((origin: string) => boolean);
  /**
   * Whether cookies travel cross-origin (`withCredentials`).
   * @defaultValue true
   */
  readonly credentials?: boolean;
  /**
   * How long browsers may cache a preflight answer, in seconds.
   * @defaultValue 600
   */
  readonly maxAge?: number;
}

/** What CORS decides for one request. @internal */
export type CorsDecision = { readonly allowed: true; readonly headers: Record<string, string> } | { readonly allowed: false };

/** @internal */
export function corsDecision(options: CorsOptions | undefined, request: HubRequest, methods = "GET, OPTIONS"): CorsDecision {
  const origin = request.header("origin");
  if (!origin) return { allowed: true, headers: {} };
  if (!options) return { allowed: true, headers: {} }; // same-origin deployments: browsers enforce CORS themselves
  const ok = typeof options.origins === "function" ? options.origins(origin) : options.origins.includes(origin);
  if (!ok) return { allowed: false };
  const headers: Record<string, string> = { "Access-Control-Allow-Origin": origin, Vary: "Origin" };
  if (options.credentials !== false) headers["Access-Control-Allow-Credentials"] = "true";
  if (request.method === "OPTIONS") {
    headers["Access-Control-Allow-Methods"] = methods;
    // Last-Event-ID is not CORS-safelisted (whatwg/fetch#568); If-None-Match is sent by version polling.
    headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Last-Event-ID, If-None-Match, Cache-Control";
    headers["Access-Control-Max-Age"] = String(options.maxAge ?? 600);
  } else {
    headers["Access-Control-Expose-Headers"] = "ETag";
  }
  return { allowed: true, headers };
}
