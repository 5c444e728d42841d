import type { IncomingMessage, ServerResponse } from "node:http";
import { type PlainResponse, errorResponse, sendNode, toFetchResponse } from "../http/plain-response.js";
import { type HubRequest, fromFetch, fromNode } from "../http/request.js";
import type { HubLogger } from "../logger.js";

/**
 * One endpoint in both handler shapes: Web-standard `(Request) => Promise<Response>` (Hono, Next.js
 * route handlers, Bun, Deno) and Node `(req, res)` (node:http, Express, Connect, Fastify's raw).
 */
export interface HubHandler {
  /** The Web-standard shape. */
  fetch(request: Request): Promise<Response>;
  /** The Node shape; also fits Express and Connect middleware (`next` is never called). */
  node(req: IncomingMessage, res: ServerResponse, next?: unknown): Promise<void>;
}

/**
 * Both shapes of an endpoint that answers with a complete response; a throw becomes a logged 500.
 *
 * @internal
 */
export function plainHandler(answer: (request: HubRequest) => Promise<PlainResponse>, logger: HubLogger, what: string): HubHandler {
  const failed = (error: unknown): PlainResponse => {
    logger.error(`[realtime-bookings] ${what} handler failed`, error);
    return errorResponse(500, "internal_error", `The hub failed to answer the ${what} request.`);
  };
  return {
    async node(req, res) {
      sendNode(res, await answer(fromNode(req)).catch(failed));
    },
    async fetch(request) {
      return toFetchResponse(await answer(fromFetch(request)).catch(failed));
    },
  };
}
