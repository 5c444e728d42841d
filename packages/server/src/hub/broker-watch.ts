import type { ProtocolError } from "@realtime-bookings/protocol";
import type { HubLogger } from "../logger.js";
import type { Counters } from "../stats.js";

/** The fields of a booking event, which name the kinds of rejection logged apart. */
const KNOWN_FIELDS = new Set(["type", "data", "data.id", "data.specialist_id", "data.workpoint_id", "previous", "previous.specialist_id", "previous.workpoint_id", "origin"]);

/**
 * Watches the broker for the hub: whether its subscription is up, and what was refused on the way in
 * (channel messages, history entries), counted each time and logged once per kind, never per client.
 *
 * @internal
 */
export class BrokerWatch {
  /** Whether the broker's subscription is up. */
  up = false;
  /** How many times the subscription went down or came back. */
  changes = 0;
  private readonly logged = new Set<string>();

  constructor(
    private readonly counters: Counters,
    private readonly logger: HubLogger,
  ) {}

  /** A channel message failed validation, or claimed an id the history does not hold. */
  rejected(error: ProtocolError): void {
    this.counters.messagesRejected += 1;
    this.logOnce(`rejected:${error.code}`, `rejected a message on the channel: ${error.message}`, error.field);
  }

  /** A message on a Laravel broadcast channel was not a valid booking event (`laravel` option). */
  rejectedBroadcast(error: ProtocolError): void {
    this.counters.messagesRejected += 1;
    // Once per code and protocol field: a bounded set, whatever field paths a payload invents.
    const field = error.field !== undefined && KNOWN_FIELDS.has(error.field) ? error.field : "";
    this.logOnce(`laravel:${error.code}:${field}`, `rejected a Laravel broadcast: ${error.message}`, error.field);
  }

  /** A history entry failed validation while resuming (it is skipped). */
  invalidHistory(error: Error): void {
    this.counters.messagesRejected += 1;
    this.logOnce(`history:${error.message}`, `skipped an invalid history entry: ${error.message}`);
  }

  /** The subscription went down or came back. */
  brokerState(up: boolean, error?: unknown): void {
    if (up === this.up) return;
    this.up = up;
    this.changes += 1;
    if (!up) this.logger.warn("[realtime-bookings] broker subscription down; the client reconnects and the hub recovers from history", error);
  }

  private logOnce(code: string, message: string, detail?: unknown): void {
    if (this.logged.has(code)) return;
    this.logged.add(code);
    this.logger.warn(`[realtime-bookings] ${message} (logged once; see stats for counts)`, detail);
  }
}
