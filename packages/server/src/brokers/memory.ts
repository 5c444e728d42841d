import { DEFAULT_HISTORY_LENGTH, type EventId, NO_EVENT_YET, type RedisKeyOptions, compareEventIds, redisKeys } from "@realtime-bookings/protocol";
import { createHash } from "node:crypto";
import { HubError } from "../errors.js";
import type { Broker, BrokerListener, HistoryEntry, HistoryPage } from "./types.js";
import { withEventId } from "./with-event-id.js";
import { idempotencyWindowOf } from "./idempotency.js";

/** The most stream tickets the memory broker keeps; past it the oldest is forgotten. */
const MAX_TICKETS = 100_000;

/** Options of {@link memoryBroker}. */
export interface MemoryBrokerOptions extends RedisKeyOptions {
  /**
   * How many recent events the history keeps for resume.
   * @defaultValue 1000
   */
  readonly historyLength?: number;
  /**
   * How long an idempotency record lasts (see {@link Broker.publishIdempotent}). 100 ms to 30 days.
   * The memory broker keeps at most 100,000 records: past that the oldest is forgotten early.
   * @defaultValue 86400000 (24 h)
   */
  readonly idempotencyWindowMs?: number;
}

/**
 * The most idempotency records the memory broker keeps: past it, the oldest is forgotten first (keys
 * fed by callers must not grow memory without bound).
 */
const MAX_RECORDS = 100_000;

/**
 * A broker that lives in this process: the embedded default when no Redis is configured. It behaves
 * like the Redis adapters (history ids, versions, the same messages), but only one process can use it,
 * and it forgets everything on restart.
 *
 * @param options - history length, key prefix and channel
 * @example
 * ```ts
 * const hub = createBookingHub({ broker: memoryBroker(), authenticate });
 * ```
 */
export function memoryBroker(options: MemoryBrokerOptions = {}): Broker {
  const historyLength = options.historyLength ?? DEFAULT_HISTORY_LENGTH;
  if (!Number.isSafeInteger(historyLength) || historyLength < 1) {
    throw new HubError("invalid_options", "historyLength must be a positive integer");
  }
  const keys = redisKeys(options);
  const windowMs = idempotencyWindowOf(options.idempotencyWindowMs);
  /** Idempotency records by key, oldest first: the first id, the SHA1 of its event, when it expires. */
  const records = new Map<string, { readonly id: EventId; readonly digest: string; readonly expires: number }>();
  const versions = new Map<string, number>();
  /** The history is its last `historyLength` entries; the few older ones are cut off in one go, not one per publish. */
  const history: HistoryEntry[] = [];
  const slack = Math.max(16, historyLength >> 3);
  const firstKept = () => Math.max(0, history.length - historyLength);
  let lastMs = 0;
  let seq = 0;
  let listener: BrokerListener | undefined;
  let closed = false;
  const tickets = memoryTickets(() => ensureOpen());

  const nextId = (): EventId => {
    const now = Date.now();
    if (now > lastMs) {
      lastMs = now;
      seq = 0;
    } else {
      seq += 1;
    }
    return `${lastMs}-${seq}` as EventId;
  };
  const ensureOpen = () => {
    if (closed) throw new HubError("closed", "the memory broker is closed");
  };

  const append = (eventJson: string, versionKeys: readonly string[]): EventId => {
    const id = nextId();
    history.push({ id, json: eventJson });
    if (history.length > historyLength + slack) history.splice(0, history.length - historyLength);
    for (const key of versionKeys) versions.set(key, (versions.get(key) ?? 0) + 1);
    const message = withEventId(id, eventJson);
    // Deliver asynchronously, as Redis would: publish() resolves before subscribers run.
    queueMicrotask(() => listener?.onMessage(message));
    return id;
  };
  /** Forgets expired records (oldest first, so it stops at the first live one) and the overflow. */
  const sweep = (now: number): void => {
    for (const [key, record] of records) {
      if (record.expires > now && records.size < MAX_RECORDS) break;
      records.delete(key);
    }
  };

  return {
    keys,
    kind: "memory",
    async publish(eventJson, versionKeys) {
      ensureOpen();
      return append(eventJson, versionKeys);
    },
    async publishIdempotent(eventJson, versionKeys, idempotencyKey) {
      ensureOpen();
      const now = Date.now();
      sweep(now);
      const digest = createHash("sha1").update(eventJson).digest("hex");
      const record = records.get(idempotencyKey);
      if (record) {
        if (record.digest !== digest) {
          throw new HubError("idempotency_key_reused", "this idempotency key was already used for a different event: nothing was published; use a new key for a new event");
        }
        return { id: record.id, replayed: true };
      }
      const id = append(eventJson, versionKeys);
      records.set(idempotencyKey, { id, digest, expires: now + windowMs });
      return { id, replayed: false };
    },
    async subscribe(l) {
      ensureOpen();
      if (listener) throw new HubError("invalid_options", "a broker has one subscription; create one broker per hub");
      listener = l;
      queueMicrotask(() => l.onReady());
    },
    async readVersion(key) {
      ensureOpen();
      return versions.get(key) ?? 0;
    },
    async readHistory(after, limit): Promise<HistoryPage> {
      ensureOpen();
      const first = firstKept();
      const oldest = history[first];
      if (!oldest) return { status: "lost" };
      if (after !== NO_EVENT_YET && compareEventIds(after, oldest.id) < 0) return { status: "gap" };
      // Binary search for the first entry newer than `after`: bounded, never a scan.
      let lo = first;
      let hi = history.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareEventIds((history[mid] as HistoryEntry).id, after) <= 0) lo = mid + 1;
        else hi = mid;
      }
      const entries = history.slice(lo, lo + limit);
      return { status: "ok", entries, truncated: history.length - lo > limit };
    },
    async newestId() {
      return history.at(-1)?.id;
    },
    async readRecent(limit) {
      ensureOpen();
      return history.slice(Math.max(firstKept(), history.length - limit));
    },
    ...tickets,
    async ping() {
      ensureOpen();
    },
    async close() {
      closed = true;
      listener = undefined;
    },
  };
}

/**
 * Stream tickets in memory, oldest first: expired ones are purged from the front, and past
 * {@link MAX_TICKETS} the oldest goes (a valid token can mint only so many, but many viewers together
 * must not grow memory either). Same answers as the Redis brokers' `SET … NX PX` and `SET … XX KEEPTTL GET`.
 */
function memoryTickets(ensureOpen: () => void): Required<Pick<Broker, "putTicket" | "takeTicket">> {
  const tickets = new Map<string, { value: string; until: number }>();
  return {
    async putTicket(key, value, ttlMs) {
      ensureOpen();
      const now = Date.now();
      for (const [k, t] of tickets) {
        if (t.until > now && tickets.size < MAX_TICKETS) break;
        tickets.delete(k);
      }
      if ((tickets.get(key)?.until ?? 0) > now) return false;
      tickets.set(key, { value, until: now + ttlMs });
      return true;
    },
    async takeTicket(key, mark) {
      ensureOpen();
      const ticket = tickets.get(key);
      if (!ticket || ticket.until <= Date.now()) return undefined;
      const { value } = ticket;
      ticket.value = mark;
      return value;
    },
  };
}
