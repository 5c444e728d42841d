import {
  type BookingEvent,
  DEFAULT_JSON_LIMITS,
  type EventScope,
  type JsonLimits,
  type JsonObject,
  type ProtocolError,
  safeParseBookingEvent,
  safeParseIdempotencyKey,
  safeParseJson,
  versionKeysOf,
} from "@realtime-bookings/protocol";
import type { Broker, IdempotentPublish } from "../brokers/types.js";
import { HubError } from "../errors.js";
import type { Counters } from "../stats.js";

/** The most the publish script adds to the event on the channel: `"id":"<15 digits>-<15 digits>",`. */
const ID_FIELD_LENGTH = '"id":"'.length + 31 + '",'.length;

/**
 * Checks an event given as JSON text exactly as every hub will check its channel message, which
 * carries the id the publish script adds: the size limit leaves room for it. Shared by `publish()`,
 * the publish endpoint and the CLI, so every publisher refuses what hubs refuse, word for word.
 *
 * @param text - the event as JSON text
 * @param limits - the hub's JSON limits (`maxEventLength` as `maxLength`)
 * @param compact - `text` is `JSON.stringify` output: when the event keeps every field of it, it is
 *   sent as it is instead of serialized again
 * @internal
 */
export function checkEvent(text: string, limits: JsonLimits, compact = false): CheckedEvent {
  const json = safeParseJson(text, { ...limits, maxLength: (limits.maxLength ?? DEFAULT_JSON_LIMITS.maxLength) - ID_FIELD_LENGTH });
  if (!json.ok) return json;
  const parsed = safeParseBookingEvent(json.value);
  if (!parsed.ok) return parsed;
  const { event, scope } = parsed.value;
  // Re-serialized unless it is already what the publish script wants (a compact object holding
  // exactly the checked fields): what goes out is what was checked.
  const whole = compact && keepsEveryField(json.value as JsonObject, event);
  return { ok: true, json: whole ? text : JSON.stringify(event), scope };
}

/** Whether the checked event is the parsed object itself: the same fields in the same order (and in `previous`). */
function keepsEveryField(raw: JsonObject, event: BookingEvent): boolean {
  if (!sameKeys(raw, event)) return false;
  const previous = "previous" in event ? event.previous : undefined;
  return previous === undefined || sameKeys(raw["previous"] as JsonObject, previous);
}

function sameKeys(a: object, b: object): boolean {
  const x = Object.keys(a);
  const y = Object.keys(b);
  return x.length === y.length && x.every((key, i) => key === y[i]);
}

/** An event checked exactly as every hub will check its channel message. @internal */
export type CheckedEvent = { readonly ok: true; readonly json: string; readonly scope: EventScope } | { readonly ok: false; readonly error: ProtocolError };

/**
 * Publishes booking events through the broker's atomic publish. Every event is checked once, exactly
 * as every hub checks the channel message (size with room for the id the script adds, depth, keys,
 * types), so nothing is stored that a hub would refuse; then serialized once.
 *
 * @internal
 */
export class Publisher {
  /**
   * @param broker - where events go
   * @param limits - the hub's JSON limits
   * @param guard - wraps a broker call with the hub's deadline
   * @param counters - counts what was published
   */
  constructor(
    private readonly broker: Broker,
    private readonly limits: JsonLimits,
    private readonly guard: <T>(call: () => Promise<T>) => Promise<T>,
    private readonly counters: Counters,
  ) {}

  /**
   * Checks an event given as JSON text (an HTTP body, a CLI argument).
   *
   * @param compact - `text` is `JSON.stringify` output (see {@link checkEvent})
   */
  check(text: string, compact = false): CheckedEvent {
    return checkEvent(text, this.limits, compact);
  }

  /**
   * Checks an idempotency key: `undefined` when there is none.
   *
   * @throws {@link HubError} `invalid_idempotency_key` (with the `ProtocolError` as `cause`)
   */
  checkKey(key: unknown): string | undefined {
    if (key === undefined) return undefined;
    const parsed = safeParseIdempotencyKey(key);
    if (!parsed.ok) throw new HubError("invalid_idempotency_key", parsed.error.message, { cause: parsed.error });
    return parsed.value;
  }

  /**
   * Checks and publishes an event object, once per idempotency key when one is given.
   *
   * @throws {@link HubError} `invalid_event` (with the `ProtocolError` as `cause`),
   *   `invalid_idempotency_key`, `idempotency_key_reused`, or the broker's error
   */
  async publish(event: BookingEvent, idempotencyKey?: string): Promise<IdempotentPublish> {
    const key = this.checkKey(idempotencyKey);
    let text: string | undefined;
    try {
      text = JSON.stringify(event);
    } catch (error) {
      throw new HubError("invalid_event", "the event cannot be serialized as JSON", { cause: error });
    }
    const checked = this.check(text ?? "", true);
    if (!checked.ok) throw new HubError("invalid_event", `invalid booking event: ${checked.error.message}`, { cause: checked.error });
    return this.send(checked, key);
  }

  /**
   * Publishes an event {@link Publisher.check} accepted, with a key {@link Publisher.checkKey}
   * accepted (a replay is not counted as published: nothing was).
   */
  async send(checked: Extract<CheckedEvent, { ok: true }>, idempotencyKey?: string): Promise<IdempotentPublish> {
    const { broker } = this;
    const versionKeys = versionKeysOf(broker.keys, checked.scope);
    let result: IdempotentPublish;
    if (idempotencyKey === undefined) {
      result = { id: await this.guard(() => broker.publish(checked.json, versionKeys)), replayed: false };
    } else if (broker.publishIdempotent) {
      const once = broker.publishIdempotent.bind(broker);
      result = await this.guard(() => once(checked.json, versionKeys, idempotencyKey));
    } else {
      throw new HubError("invalid_options", `the ${broker.kind} broker cannot publish with an idempotency key (it has no publishIdempotent)`);
    }
    if (!result.replayed) this.counters.published += 1;
    return result;
  }
}
