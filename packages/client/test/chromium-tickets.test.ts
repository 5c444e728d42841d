// Credential rotation in real Chromium on BOTH transports (issue 14): tokens valid for 5 s, 60 s of
// streaming (see support/rotation-rig.ts). The native EventSource gets a single-use ticket (POST
// /ticket, token in the Authorization header) for every stream; the fetch transport sends the header
// itself. Either way: the status never leaves live, no event is lost or doubled, and no URL (as
// Chromium requested it, or as the hub's server saw it) carries a token.
import { requireBinary } from "@realtime-bookings/test-utils";
import { describe, expect, test } from "vitest";
import { runRotation } from "./support/rotation-rig.js";

const hasChromium = requireBinary("chromium", "apt-get install chromium");
const STREAM_MS = 60_000;

describe.skipIf(!hasChromium)("5 s tokens for 60 s in real Chromium", () => {
  test.each(["eventsource", "fetch"] as const)("on the %s transport: always live, nothing lost or doubled, no token in any URL", async (transport) => {
    await runRotation(transport, STREAM_MS, ({ hub, log, published, requests, seen, streams }) => {
      const tickets = requests.filter((request) => request.startsWith("POST ") && request.endsWith("/api/bookings/ticket")).length;
      console.log(`[chromium] ${transport}: ${streams} streams and ${tickets} tickets in ${STREAM_MS / 1000} s, ${log.tokens} token calls, ${log.ids.length} events`);
      expect(log.statuses).toEqual([{ status: "live", reason: "open" }]); // never away from live
      expect(log.errors).toEqual([]);
      expect(log.ids).toEqual(published); // none lost, none doubled, in order
      expect(streams).toBeGreaterThanOrEqual(12); // a rotation every ~4 s
      expect(requests.filter((request) => /tok_|token=/i.test(request))).toEqual([]);
      expect(seen.filter((url) => /tok_|token=/i.test(url))).toEqual([]);
      if (transport === "eventsource") {
        // Every stream was opened with its own ticket, each used once.
        expect(tickets).toBe(streams);
        expect(seen.filter((url) => url.startsWith("/api/bookings/events")).every((url) => /[?&]ticket=[A-Za-z0-9_-]{32}(&|$)/.test(url))).toBe(true);
        expect(hub.stats()).toMatchObject({ ticketsIssued: streams, ticketsRefused: { ticket_used: 0, ticket_expired: 0, ticket_unknown: 0, too_many_tickets: 0 } });
      } else {
        expect(tickets).toBe(0);
      }
    });
  }, 120_000);
});
