/**
 * Why a stream ticket was not issued or not accepted, sent as the `error` field of the JSON refusal:
 *
 * - `ticket_unknown` (401): no such ticket: never issued, forged, malformed, or gone long ago;
 * - `ticket_used` (401): the ticket was already used (tickets are single-use: fetch a new one);
 * - `ticket_expired` (401): the ticket is older than its 30 s;
 * - `ticket_viewer_mismatch` (403): the request also carries credentials (header or cookie) of another
 *   viewer than the one the ticket was issued to;
 * - `ticket_scope` (403): the ticket request asked for a scope its token does not grant;
 * - `too_many_tickets` (429, with `Retry-After`): this viewer asked for tickets too fast;
 * - `tickets_unsupported` (501): the hub's broker cannot store tickets;
 * - `query_token_refused` (401): a `?token=` in the URL, which the hub does not accept unless started
 *   with `allowQueryToken` (`--allow-query-token`): use a ticket or the `Authorization` header.
 */
export type TicketRefusal =
  | "ticket_unknown"
  | "ticket_used"
  | "ticket_expired"
  | "ticket_viewer_mismatch"
  | "ticket_scope"
  | "too_many_tickets"
  | "tickets_unsupported"
  | "query_token_refused";

/** Every {@link TicketRefusal}, in a stable order (for counters and metrics). */
export const TICKET_REFUSALS: readonly TicketRefusal[] = [
  "ticket_unknown",
  "ticket_used",
  "ticket_expired",
  "ticket_viewer_mismatch",
  "ticket_scope",
  "too_many_tickets",
  "tickets_unsupported",
  "query_token_refused",
];

/** The status and fix-it message of each refusal. @internal */
export const TICKET_REFUSAL_ANSWERS: Readonly<Record<TicketRefusal, { readonly status: number; readonly message: string }>> = {
  ticket_unknown: { status: 401, message: "Unknown ticket: fetch a new one with POST /ticket (Authorization: Bearer <token>)." },
  ticket_used: { status: 401, message: "This ticket was already used; tickets are single-use: fetch a new one with POST /ticket." },
  ticket_expired: { status: 401, message: "This ticket expired (tickets last 30 s); fetch a new one with POST /ticket." },
  ticket_viewer_mismatch: { status: 403, message: "This ticket was issued to another viewer than the credentials sent with it." },
  ticket_scope: { status: 403, message: "The ticket asked for a scope the token does not grant." },
  too_many_tickets: { status: 429, message: "Too many tickets for this user; retry after the Retry-After delay." },
  tickets_unsupported: { status: 501, message: "This hub's broker cannot store tickets; use the fetch transport (Authorization header)." },
  query_token_refused: {
    status: 401,
    message: "Tokens in URLs are refused (they end up in logs): send Authorization: Bearer <token>, or exchange it for a ticket with POST /ticket and open ?ticket=.",
  },
};

/** Refusals counted by reason, for `/metrics`. @internal */
export type TicketRefusalCounts = Record<TicketRefusal, number>;

/** @internal */
export const newTicketRefusalCounts = (): TicketRefusalCounts => Object.fromEntries(TICKET_REFUSALS.map((r) => [r, 0])) as TicketRefusalCounts;
