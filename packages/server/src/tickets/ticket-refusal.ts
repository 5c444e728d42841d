import { type PlainResponse, errorResponse } from "../http/plain-response.js";
import { TICKET_REFUSAL_ANSWERS, type TicketRefusal, type TicketRefusalCounts } from "./ticket-reasons.js";

/**
 * The answer refusing a ticket (or a `?token=`) for `reason`, counted: its status, `{"error": reason,
 * "message": …}`, and the CORS `headers` so a cross-origin page can read why.
 *
 * @internal
 */
export function ticketRefusal(counts: TicketRefusalCounts, reason: TicketRefusal, headers: Record<string, string>): PlainResponse {
  counts[reason] += 1;
  const { status, message } = TICKET_REFUSAL_ANSWERS[reason];
  const challenge = status === 401 ? { "WWW-Authenticate": 'Bearer realm="realtime-bookings", error="invalid_token"' } : {};
  return errorResponse(status, reason, message, { ...headers, ...challenge });
}
