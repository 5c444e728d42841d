import { type ViewerScope, safeParseViewer, scopeKey } from "@realtime-bookings/protocol";
import type { Admission } from "../admission/admission.js";
import { ResumeLimiter } from "../fanout/resume/resume-limiter.js";
import { corsDecision } from "../http/cors.js";
import { type PlainResponse, errorResponse, jsonResponse } from "../http/plain-response.js";
import { readBody } from "../http/read-body.js";
import type { HubRequest } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import type { ResolvedOptions } from "../options.js";
import type { Counters } from "../stats.js";
import type { TicketRefusalCounts } from "../tickets/ticket-reasons.js";
import { ticketRefusal } from "../tickets/ticket-refusal.js";
import type { TicketStore } from "../tickets/ticket-store.js";
import { type HubHandler, plainHandler } from "./handler.js";

/**
 * Tickets one viewer key may take at once, and regains per second. A page needs one per stream
 * (re)connection; a valid token that asks faster gets 429, so it can hold at most about
 * `burst + 90 × rate` records per hub in Redis at any time (each lives 30 s + 60 s remembered).
 */
const TICKET_BURST = 10;
const TICKETS_PER_SECOND = 1;

/** The largest ticket request body (an optional `{"scope": …}`), and how long it may take. */
const MAX_BODY_BYTES = 1_024;
const BODY_TIMEOUT_MS = 5_000;

/** What the ticket endpoint works with. @internal */
export interface TicketDeps {
  readonly options: Pick<ResolvedOptions, "cors" | "viewerKey" | "logger">;
  readonly admission: Admission;
  readonly store: TicketStore;
  readonly counters: Counters;
  readonly refused: TicketRefusalCounts;
  /** Whether the hub is closing. */
  closed(): boolean;
}

/**
 * The ticket endpoint in both handler shapes: `POST` with the viewer's credentials in the
 * `Authorization: Bearer` header (or the cookie `authenticate` reads) answers
 * `200 {"ticket", "expiresIn": 30}` with `Cache-Control: no-store`: a single-use ticket for
 * `?ticket=` on the stream (or version) URL, so no token ever sits in a URL. An optional JSON body
 * `{"scope": {"role": "supervisor", "workpoint_id": 1}}` narrows an admin's ticket to one scope; any
 * other scope than the token's is refused (`ticket_scope`).
 *
 * @internal
 */
export function ticketEndpoint(deps: TicketDeps): HubHandler {
  const limiter = new ResumeLimiter(TICKET_BURST, TICKETS_PER_SECOND);
  return plainHandler((request) => answerTicket(deps, limiter, request), deps.options.logger, "ticket");
}

async function answerTicket(deps: TicketDeps, limiter: ResumeLimiter, request: HubRequest): Promise<PlainResponse> {
  const { options, admission, store, refused } = deps;
  if (deps.closed()) return errorResponse(503, "shutting_down", "The hub is shutting down; retry shortly.", { "Retry-After": jitteredRetryAfter(1) });
  const cors = corsDecision(options.cors, request, "POST, OPTIONS");
  if (!cors.allowed) return errorResponse(403, "origin_not_allowed", "This origin may not use the hub.");
  const { headers } = cors;
  if (request.method === "OPTIONS") return { status: 204, headers, body: "" };
  if (request.method !== "POST") return errorResponse(405, "method_not_allowed", "Use POST, with the token in Authorization: Bearer <token>.", { ...headers, Allow: "POST, OPTIONS" });
  if (admission.refusesQueryToken(request)) return ticketRefusal(refused, "query_token_refused", headers);
  if (!store.supported) return ticketRefusal(refused, "tickets_unsupported", headers);
  const gated = await admission.credentials(request, headers);
  if ("status" in gated) return gated;
  const wanted = await requestedScope(request, headers);
  if (wanted !== undefined && "status" in wanted) return wanted;
  if (wanted !== undefined && !within(wanted, gated.viewer)) return ticketRefusal(refused, "ticket_scope", headers);
  const key = gated.key ?? options.viewerKey(gated.viewer, request);
  const wait = limiter.take(key);
  if (wait > 0) return ticketRefusal(refused, "too_many_tickets", { ...headers, "Retry-After": jitteredRetryAfter(wait) });
  try {
    const issued = await store.issue({ viewer: wanted ?? gated.viewer, key, expiresAt: gated.expiresAt });
    deps.counters.ticketsIssued += 1;
    return jsonResponse(200, issued, headers);
  } catch {
    return errorResponse(503, "broker_unavailable", "Could not store the ticket; retry later.", { ...headers, "Retry-After": jitteredRetryAfter(2) });
  }
}

/** The scope the body asks for, if any; a body that is not `{"scope": <viewer>}` is a 400. */
async function requestedScope(request: HubRequest, headers: Record<string, string>): Promise<ViewerScope | PlainResponse | undefined> {
  const body = await readBody(request.raw, MAX_BODY_BYTES, BODY_TIMEOUT_MS);
  if (!body.ok) return errorResponse(body.reason === "too_large" ? 413 : 408, "bad_ticket_request", "The ticket request body is too large or did not arrive in time.", { ...headers, Connection: "close" });
  if (body.text.trim() === "") return undefined;
  let scope: unknown;
  try {
    scope = (JSON.parse(body.text) as { scope?: unknown } | null)?.scope;
  } catch {
    scope = null;
  }
  const parsed = safeParseViewer(scope);
  if (!parsed.ok) return errorResponse(400, "bad_ticket_request", 'Send no body, or {"scope": {"role": …, "workpoint_id" | "specialist_id": …}}.', headers);
  return parsed.value;
}

/** Whether `wanted` is the granted scope itself or, for an admin, any narrower one. */
const within = (wanted: ViewerScope, granted: ViewerScope): boolean => granted.role === "admin" || scopeKey(wanted) === scopeKey(granted);
