import { type ParseResult, fail } from "./errors.js";
import { type JsonLimits, type JsonObject, type JsonValue, isPlainObject, safeParseJson } from "./json.js";
import { type CanonicalId, type Id, safeParseId } from "./scope-id.js";

/** The kinds of booking change, as the original PHP system publishes them. */
export const BOOKING_CHANGE_TYPES = ["create", "update", "delete"] as const;

/** A kind of booking change: `create`, `update` or `delete`. */
export type BookingChangeType = (typeof BOOKING_CHANGE_TYPES)[number];

/** Every event type on the channel: the three changes, plus `test` for checking the pipe end to end. */
export type BookingEventType = BookingChangeType | "test";

/**
 * The booking row as published: `id`, `specialist_id` and `workpoint_id` are required; any other
 * field the publisher adds (times, names…) is carried through untouched to viewers who may see it.
 */
export interface BookingData {
  /** The booking's id. */
  readonly id: Id;
  /** The specialist the booking belongs to now. */
  readonly specialist_id: Id;
  /** The workpoint the booking belongs to now. */
  readonly workpoint_id: Id;
  /** Any further fields of the booking. */
  readonly [field: string]: JsonValue;
}

/**
 * Where a booking was before an `update` moved it. Viewers of the old scope must learn that the
 * booking left them, so the event is delivered to the old scope as well as to the new one.
 */
export interface PreviousScope {
  /** The specialist the booking belonged to before the change. */
  readonly specialist_id?: Id;
  /** The workpoint the booking belonged to before the change. */
  readonly workpoint_id?: Id;
}

/**
 * A booking change: the original system's message `{"type":"update","data":{…}}`, optionally with
 * the scope it moved from.
 *
 * @example
 * ```json
 * {"type":"update","data":{"id":42,"specialist_id":5,"workpoint_id":2},"previous":{"specialist_id":3,"workpoint_id":1}}
 * ```
 */
export interface BookingChange {
  /** What happened to the booking. */
  readonly type: BookingChangeType;
  /** The booking as it is now (for `delete`, as it was). */
  readonly data: BookingData;
  /** Where the booking was before an `update` moved it. */
  readonly previous?: PreviousScope;
  /** Who made the change: see {@link Origin}. */
  readonly origin?: Origin;
}

/**
 * A diagnostic event (`redis-cli PUBLISH bookings:updates '{"type":"test","data":{"test":true}}'`).
 * It reaches admins, plus the specialist and workpoint it names, if it names any.
 */
export interface TestEvent {
  /** Always `test`. */
  readonly type: "test";
  /** Free-form data; `specialist_id` and `workpoint_id`, when present, must be valid ids. */
  readonly data: JsonObject;
  /** Who sent it: see {@link Origin}. */
  readonly origin?: Origin;
}

/**
 * The id of the browser client whose write caused an event (its `realtime.clientId`, which the app
 * received in the `X-Realtime-Client` header): 1 to 64 printable ASCII characters. That client
 * reports the event as its own and does not refresh for it; every other client refreshes as usual.
 * It is an echo filter, not an authenticated fact: it only ever saves a refresh.
 *
 * @example
 * ```json
 * {"type":"create","data":{"id":42,"specialist_id":3,"workpoint_id":1},"origin":"3f9c2a7d10b84e65aa"}
 * ```
 */
export type Origin = string;

/** What an {@link Origin} must look like: 1 to 64 printable ASCII characters. */
const ORIGIN = /^[\x20-\x7e]{1,64}$/;

/** Any event on the bookings channel. */
export type BookingEvent = BookingChange | TestEvent;

/**
 * Who may see an event: the canonical ids of every specialist and workpoint it touches (the new scope
 * and, for a move, the old one). Admins see every event regardless.
 */
export interface EventScope {
  /** Canonical specialist ids, without duplicates. */
  readonly specialists: readonly CanonicalId[];
  /** Canonical workpoint ids, without duplicates. */
  readonly workpoints: readonly CanonicalId[];
}

/**
 * A validated event together with its {@link EventScope}.
 */
export interface ParsedEvent {
  /** The event, holding only the fields the protocol defines (`type`, `data`, `previous`, `origin`). */
  readonly event: BookingEvent;
  /** Who may see it. */
  readonly scope: EventScope;
}

const SCOPE_FIELDS = [
  ["specialist_id", "specialists"],
  ["workpoint_id", "workpoints"],
] as const;

/**
 * Validates an untrusted value as a {@link BookingEvent}.
 *
 * Unknown top-level fields are dropped; fields inside `data` are kept. Nothing is thrown: a rejection
 * is a {@link ProtocolError} naming the field.
 *
 * @param value - e.g. the result of `JSON.parse`, or an object an app passes to `publish()`
 * @returns the event and its scope, or the error
 * @example
 * ```ts
 * const r = safeParseBookingEvent({ type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } });
 * if (r.ok) r.value.scope; // { specialists: ["3"], workpoints: ["1"] }
 * ```
 */
export function safeParseBookingEvent(value: unknown): ParseResult<ParsedEvent> {
  if (!isPlainObject(value)) return fail("invalid_field", "an event must be a JSON object");
  const { type, data, previous, origin } = value;
  if (type === undefined) return fail("missing_field", "type is required", "type");
  if (type !== "test" && !BOOKING_CHANGE_TYPES.includes(type as BookingChangeType)) {
    return fail("invalid_field", 'type must be one of "create", "update", "delete", "test"', "type");
  }
  if (data === undefined) return fail("missing_field", "data is required", "data");
  if (!isPlainObject(data)) return fail("invalid_field", "data must be an object", "data");

  const specialists = new Set<CanonicalId>();
  const workpoints = new Set<CanonicalId>();
  const sets = { specialists, workpoints };
  const isTest = type === "test";

  if (!isTest) {
    const id = safeParseId(data["id"], "data.id");
    if (!id.ok) return id;
  }
  for (const [field, set] of SCOPE_FIELDS) {
    if (isTest && data[field] === undefined) continue;
    const id = safeParseId(data[field], `data.${field}`);
    if (!id.ok) return id;
    sets[set].add(id.value);
  }

  let previousScope: PreviousScope | undefined;
  if (previous !== undefined && previous !== null) {
    if (isTest) return fail("invalid_field", "a test event has no previous scope", "previous");
    if (!isPlainObject(previous)) return fail("invalid_field", "previous must be an object", "previous");
    const kept: Record<string, Id> = {};
    for (const [field, set] of SCOPE_FIELDS) {
      const raw = previous[field];
      if (raw === undefined) continue;
      const id = safeParseId(raw, `previous.${field}`);
      if (!id.ok) return id;
      sets[set].add(id.value);
      kept[field] = raw as Id;
    }
    previousScope = kept;
  }

  const hasOrigin = origin !== undefined && origin !== null;
  if (hasOrigin && (typeof origin !== "string" || !ORIGIN.test(origin))) {
    return fail("invalid_field", "origin must be a string of 1 to 64 printable ASCII characters (the client's realtime.clientId)", "origin");
  }

  const event = { type, data, ...(previousScope && { previous: previousScope }), ...(hasOrigin && { origin }) } as BookingEvent;
  return { ok: true, value: { event, scope: { specialists: [...specialists], workpoints: [...workpoints] } } };
}

/**
 * Parses untrusted JSON text (a Redis message) as a {@link BookingEvent}, within {@link JsonLimits}.
 *
 * @param text - the raw message
 * @param limits - size and depth limits
 * @returns the event and its scope, or a {@link ProtocolError}
 */
export function safeParseBookingMessage(text: string, limits?: JsonLimits): ParseResult<ParsedEvent> {
  const json = safeParseJson(text, limits);
  return json.ok ? safeParseBookingEvent(json.value) : json;
}

/**
 * Like {@link safeParseBookingEvent}, but throws the {@link ProtocolError}.
 *
 * @param value - the untrusted value
 * @throws {@link ProtocolError} when the value is not a valid event
 */
export function parseBookingEvent(value: unknown): ParsedEvent {
  const result = safeParseBookingEvent(value);
  if (!result.ok) throw result.error;
  return result.value;
}
