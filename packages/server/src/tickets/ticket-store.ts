import { type ViewerScope, safeParseViewer } from "@realtime-bookings/protocol";
import { createHash, randomBytes } from "node:crypto";
import type { Broker } from "../brokers/types.js";
import type { TicketRefusal } from "./ticket-reasons.js";

/** How long a ticket is valid, in ms. */
export const TICKET_TTL_MS = 30_000;

/**
 * How long a used or expired ticket is remembered after its 30 s, so a second use is refused as
 * `ticket_used` / `ticket_expired` instead of `ticket_unknown`. Bounded like the tickets themselves.
 */
const REMEMBER_MS = 60_000;

/** What a used ticket's record becomes. */
const USED = "used";

/** 24 random bytes (192 bits) in base64url: 32 characters. */
const TICKET_FORMAT = /^[A-Za-z0-9_-]{32}$/;

/** What a ticket grants: what the token granted when the ticket was issued. @internal */
export interface TicketGrant {
  /** The viewer the token named. */
  readonly viewer: ViewerScope;
  /** The key the token's streams are counted under (`sub:…`), when `authenticate` gave one. */
  readonly key: string | undefined;
  /** When the token expires (ms since the epoch): a stream opened with the ticket gets `reauth` then. */
  readonly expiresAt: number | undefined;
}

/** The record stored in Redis: the grant and the ticket's own expiry `until`. */
type TicketRecord = { v: ViewerScope; k?: string; e?: number; u: number };

const digest = (ticket: string): string => createHash("sha256").update(ticket).digest("hex");

/** Reads a record back; it comes from Redis, so it is checked like any untrusted input. */
function parseRecord(text: string): (TicketGrant & { until: number }) | undefined {
  let raw: Partial<TicketRecord>;
  try {
    raw = JSON.parse(text) as Partial<TicketRecord>;
  } catch {
    return undefined;
  }
  const viewer = safeParseViewer(raw?.v);
  if (!viewer.ok || typeof raw.u !== "number") return undefined;
  if (raw.k !== undefined && typeof raw.k !== "string") return undefined;
  if (raw.e !== undefined && typeof raw.e !== "number") return undefined;
  return { viewer: viewer.value, key: raw.k, expiresAt: raw.e, until: raw.u };
}

/**
 * Issues and redeems stream tickets through the broker, so a ticket issued by one hub is accepted
 * (once) by any hub on the same Redis. A ticket is 192 random bits; the broker stores only its
 * SHA-256, so a Redis dump or `MONITOR` shows no usable ticket. Redeeming marks the record used
 * atomically: two hubs presented the same ticket at once accept it once.
 *
 * @internal
 */
export class TicketStore {
  /**
   * @param broker - where tickets live
   * @param guard - bounds each broker call by the broker deadline
   * @param now - the clock (injected by tests)
   */
  constructor(
    private readonly broker: Broker,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether the broker can store tickets. */
  get supported(): boolean {
    return this.broker.putTicket !== undefined && this.broker.takeTicket !== undefined;
  }

  /**
   * Issues a ticket for `grant`, valid 30 s, or less when the token expires sooner.
   *
   * @returns the ticket and its lifetime in seconds
   */
  async issue(grant: TicketGrant): Promise<{ readonly ticket: string; readonly expiresIn: number }> {
    const { putTicket } = this.broker;
    if (!putTicket) throw new Error("the broker cannot store tickets");
    const now = this.now();
    const lifetime = Math.max(1_000, Math.min(TICKET_TTL_MS, (grant.expiresAt ?? Number.POSITIVE_INFINITY) - now));
    const record: TicketRecord = { v: grant.viewer, u: now + lifetime, ...(grant.key !== undefined && { k: grant.key }), ...(grant.expiresAt !== undefined && { e: grant.expiresAt }) };
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const ticket = randomBytes(24).toString("base64url");
      const stored = await this.guard(() => putTicket.call(this.broker, this.broker.keys.ticket(digest(ticket)), JSON.stringify(record), lifetime + REMEMBER_MS));
      if (stored) return { ticket, expiresIn: Math.ceil(lifetime / 1000) };
    }
    // 192 random bits never collide three times: a broker that always says "taken" is broken.
    throw new Error("the broker refused to store three fresh tickets");
  }

  /**
   * Redeems a ticket once.
   *
   * @returns what it grants, or why it is refused
   */
  async redeem(ticket: string): Promise<TicketGrant | TicketRefusal> {
    const { takeTicket } = this.broker;
    if (!takeTicket) return "tickets_unsupported";
    if (!TICKET_FORMAT.test(ticket)) return "ticket_unknown";
    const text = await this.guard(() => takeTicket.call(this.broker, this.broker.keys.ticket(digest(ticket)), USED));
    if (text === undefined) return "ticket_unknown";
    if (text === USED) return "ticket_used";
    const record = parseRecord(text);
    if (!record) return "ticket_unknown";
    if (record.until <= this.now()) return "ticket_expired";
    return { viewer: record.viewer, key: record.key, expiresAt: record.expiresAt };
  }
}
