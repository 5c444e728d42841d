import { type ViewerScope, safeParseViewer, scopeKey } from "@realtime-bookings/protocol";
import { AuthenticationError } from "../errors.js";
import { corsDecision } from "../http/cors.js";
import { type PlainResponse, errorResponse } from "../http/plain-response.js";
import type { HubRequest } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import type { ResolvedOptions } from "../options.js";
import type { Counters } from "../stats.js";
import type { TicketRefusalCounts } from "../tickets/ticket-reasons.js";
import { ticketRefusal } from "../tickets/ticket-refusal.js";
import type { TicketStore } from "../tickets/ticket-store.js";

/** A request's viewer as `authenticate` decided it, with the CORS headers every answer carries. @internal */
export interface Gated {
  readonly viewer: ViewerScope;
  readonly key: string | undefined;
  readonly expiresAt: number | undefined;
  readonly headers: Record<string, string>;
}

/** A stream request that may open: its viewer, the key its caps count under, and where it resumes. @internal */
export interface Admitted extends Gated {
  readonly key: string;
  readonly lastEventId: string | undefined;
}

/** What admission reads from the rest of the hub. @internal */
export interface AdmissionState {
  /** Whether the hub is closing. */
  readonly closed: boolean;
  /** Whether the hub is draining: it answers versions but opens no new stream. */
  readonly draining: boolean;
  /** Open streams in total, and per viewer key. */
  readonly connections: { readonly size: number; countFor(key: string): number };
  /** Resolves once the broker's subscription is active; rejects past the broker deadline. */
  subscribed(): Promise<void>;
}

type AdmissionOptions = Pick<ResolvedOptions, "cors" | "authenticate" | "viewerKey" | "maxConnections" | "maxConnectionsPerViewer" | "allowQueryToken" | "logger">;

/** How admission redeems `?ticket=` and counts what it refuses. @internal */
export interface AdmissionTickets {
  readonly store: TicketStore;
  readonly refused: TicketRefusalCounts;
}

/** A jittered `Retry-After` of 1–3 s, so refused clients do not come back together. */
const jitteredRetry = (headers: Record<string, string>): Record<string, string> => ({ ...headers, "Retry-After": jitteredRetryAfter(1) });

/**
 * Who may use the hub, for both endpoints: the hub is open, the origin is allowed (CORS), the method is
 * GET, and `authenticate` names a valid viewer ({@link Admission.gate}); for a stream also the
 * connection caps, the subscription and the resume point ({@link Admission.admit}).
 *
 * @internal
 */
export class Admission {
  constructor(
    private readonly options: AdmissionOptions,
    private readonly counters: Counters,
    private readonly state: AdmissionState,
    private readonly tickets: AdmissionTickets,
  ) {}

  /** Checks shared by both endpoints: open, CORS, method, viewer. */
  async gate(request: HubRequest): Promise<Gated | PlainResponse> {
    if (this.state.closed) return errorResponse(503, "shutting_down", "The hub is shutting down; reconnect shortly.", { "Retry-After": jitteredRetryAfter(1) });
    const cors = corsDecision(this.options.cors, request);
    if (!cors.allowed) return errorResponse(403, "origin_not_allowed", "This origin may not use the hub.");
    if (request.method === "OPTIONS") return { status: 204, headers: cors.headers, body: "" };
    if (request.method !== "GET") return errorResponse(405, "method_not_allowed", "Use GET.", { ...cors.headers, Allow: "GET, OPTIONS" });
    return this.authorize(request, cors.headers);
  }

  /** Everything {@link Admission.gate} checks, then the caps and the subscription, for a stream. */
  async admit(request: HubRequest): Promise<Admitted | PlainResponse> {
    const gated = await this.gate(request);
    if ("status" in gated) return gated;
    const { viewer, headers } = gated;
    const key = gated.key ?? this.options.viewerKey(viewer, request);
    const { connections } = this.state;
    if (this.state.draining) return errorResponse(503, "draining", "This hub is restarting; reconnect shortly (to another hub).", jitteredRetry(headers));
    if (connections.size >= this.options.maxConnections) {
      this.counters.connectionsRefused += 1;
      return errorResponse(429, "too_many_connections", "The hub is at its connection limit; retry later.", jitteredRetry(headers));
    }
    if (connections.countFor(key) >= this.options.maxConnectionsPerViewer) {
      this.counters.connectionsRefused += 1;
      return errorResponse(429, "too_many_connections", "Too many open streams for this user; close a tab or retry later.", jitteredRetry(headers));
    }
    try {
      await this.state.subscribed();
    } catch {
      return errorResponse(503, "broker_unavailable", "Real-time updates are unavailable; retry later.", jitteredRetry(headers));
    }
    const lastEventId = request.header("last-event-id") || request.url.searchParams.get("lastEventId") || undefined;
    return { ...gated, key, lastEventId };
  }

  /**
   * Who is asking: a `?token=` is refused unless `allowQueryToken`; a `?ticket=` is redeemed (once);
   * otherwise `authenticate` decides from the header or the cookie.
   */
  private async authorize(request: HubRequest, headers: Record<string, string>): Promise<Gated | PlainResponse> {
    if (this.refusesQueryToken(request)) return ticketRefusal(this.tickets.refused, "query_token_refused", headers);
    const ticket = request.url.searchParams.get("ticket");
    return ticket === null ? this.credentials(request, headers) : this.redeem(request, ticket, headers);
  }

  /** Whether the request carries a `?token=` this hub does not accept. */
  refusesQueryToken(request: HubRequest): boolean {
    return !this.options.allowQueryToken && request.url.searchParams.has("token");
  }

  /**
   * Redeems a ticket: it grants what its token granted (viewer, key, expiry). Credentials sent with it
   * (a header or cookie that `authenticate` accepts) must name the same viewer, or the ticket (already
   * used up) is refused: a stolen ticket is no way to swap identities.
   */
  private async redeem(request: HubRequest, ticket: string, headers: Record<string, string>): Promise<Gated | PlainResponse> {
    let grant: Awaited<ReturnType<TicketStore["redeem"]>>;
    try {
      grant = await this.tickets.store.redeem(ticket);
    } catch {
      return errorResponse(503, "broker_unavailable", "Could not check the ticket; retry later.", jitteredRetry(headers));
    }
    if (typeof grant === "string") return ticketRefusal(this.tickets.refused, grant, headers);
    if (request.header("authorization") !== undefined || request.header("cookie") !== undefined) {
      const other = await this.credentials(request, headers, true);
      const differs = !("status" in other) && (scopeKey(other.viewer) !== scopeKey(grant.viewer) || (other.key !== undefined && grant.key !== undefined && other.key !== grant.key));
      if (differs) return ticketRefusal(this.tickets.refused, "ticket_viewer_mismatch", headers);
    }
    return { viewer: grant.viewer, key: grant.key, expiresAt: grant.expiresAt, headers };
  }

  /**
   * The viewer `authenticate` names from the request's credentials (header or cookie).
   *
   * @param quiet - when only comparing with a ticket: an `authenticate` that throws is not logged
   */
  async credentials(request: HubRequest, headers: Record<string, string>, quiet = false): Promise<Gated | PlainResponse> {
    const { logger } = this.options;
    let answer: Awaited<ReturnType<AdmissionOptions["authenticate"]>>;
    try {
      answer = await this.options.authenticate(request);
    } catch (error) {
      if (error instanceof AuthenticationError) return errorResponse(error.status, error.reason, error.message, { ...headers, ...error.headers });
      if (!quiet) logger.error("[realtime-bookings] authenticate threw", error);
      return errorResponse(500, "internal_error", "Authentication failed on the server.", headers);
    }
    if (answer === null || answer === undefined) return errorResponse(401, "unauthenticated", "Sign in to receive booking updates.", headers);
    const { viewer, key, expiresAt } = "viewer" in answer ? answer : { viewer: answer, key: undefined, expiresAt: undefined };
    const parsed = safeParseViewer(viewer);
    if (!parsed.ok) {
      logger.error(`[realtime-bookings] authenticate returned an invalid viewer: ${parsed.error.message}`);
      return errorResponse(500, "invalid_viewer", "The server could not tell what this user may see.", headers);
    }
    return { viewer: parsed.value, key, expiresAt, headers };
  }
}
