import type { IncomingMessage, ServerResponse } from "node:http";

/** What a route handler gets. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  /** The `:name` segments of the pattern. */
  readonly params: Readonly<Record<string, string>>;
}

/** A route handler. */
export type Handler = (ctx: RouteContext) => unknown;

type Route = { readonly method: string; readonly parts: readonly string[]; readonly handler: Handler };

/** A minimal method + path router: `/bookings/:id/cancel` style patterns, nothing more. */
export class Router {
  readonly #routes: Route[] = [];

  /** Adds a route. */
  on(method: "GET" | "POST", pattern: string, handler: Handler): this {
    this.#routes.push({ method, parts: pattern.split("/"), handler });
    return this;
  }

  /**
   * Finds the route of a request: the handler and its params, `405` with the allowed methods when
   * the path matches another method, or `undefined` (404).
   */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } | { allow: string[] } | undefined {
    const parts = pathname.split("/");
    const allow: string[] = [];
    for (const route of this.#routes) {
      const params = matchParts(route.parts, parts);
      if (!params) continue;
      if (route.method === method || (method === "HEAD" && route.method === "GET")) return { handler: route.handler, params };
      allow.push(route.method);
    }
    return allow.length > 0 ? { allow } : undefined;
  }
}

function matchParts(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    const v = parts[i] as string;
    if (p.startsWith(":")) {
      if (v === "") return undefined;
      try {
        params[p.slice(1)] = decodeURIComponent(v);
      } catch {
        return undefined;
      }
    } else if (p !== v) return undefined;
  }
  return params;
}
