import { type JsonLimits, type JsonObject, type ParsedEvent, ProtocolError, safeParseBookingMessage, safeParseJson } from "@realtime-bookings/protocol";
import type { Broker } from "../brokers/types.js";
import { HubError } from "../errors.js";
import { bookingFrame } from "../fanout/frames.js";
import type { FeedSink } from "./channel-feed.js";
import { type LaravelBroadcast, type LaravelMapper, type LaravelOptions, laravelBookingEvent } from "./laravel-map.js";

/** The longest accepted channel pattern. */
const MAX_PATTERN_LENGTH = 256;

/** Who hears about the broadcasts the feed refused. @internal */
export interface LaravelObserver {
  /** A broadcast was not a valid booking event: counted, and logged once per kind. */
  rejectedBroadcast(error: ProtocolError): void;
}

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

const refuse = (message: string, field?: string): ProtocolError => new ProtocolError("invalid_field", message, field);

/**
 * Checks a channel pattern of the `laravel` option.
 *
 * @returns a sentence saying what is wrong, or `undefined` when it is fine
 * @internal
 */
export function laravelPatternProblem(channels: unknown): string | undefined {
  if (typeof channels === "string" && channels.length > 0 && channels.length <= MAX_PATTERN_LENGTH && /^[\x21-\x7e]+$/.test(channels)) return undefined;
  return `must be a Redis channel pattern of 1 to ${MAX_PATTERN_LENGTH} printable characters without spaces, such as "laravel_database_*bookings*", got ${JSON.stringify(channels)}`;
}

/**
 * Checks the `laravel` option before anything connects.
 *
 * @throws {@link HubError} `invalid_options`
 * @internal
 */
export function checkLaravelOptions(options: LaravelOptions, broker: Broker | undefined): void {
  const problem = laravelPatternProblem(options.channels);
  if (problem) throw new HubError("invalid_options", `laravel.channels ${problem}`);
  if (options.map !== undefined && typeof options.map !== "function") throw new HubError("invalid_options", "laravel.map must be a function (broadcast) => BookingEvent | null");
  if (typeof broker?.subscribePattern !== "function") {
    throw new HubError("invalid_options", `the ${broker?.kind ?? "memory"} broker cannot subscribe to Laravel's channels: use ioredisBroker or nodeRedisBroker on the Redis Laravel broadcasts to`);
  }
}

/**
 * Hears Laravel's Redis broadcaster: one pattern subscription (`PSUBSCRIBE`) on the channels the app
 * broadcasts booking changes on. Each message is parsed within the hub's limits, mapped to a booking
 * event (by {@link laravelBookingEvent} unless the app gives its own mapper), validated exactly like a
 * message on the bookings channel, and delivered live to the viewers of its scope. What cannot be
 * mapped, or maps to something invalid, is rejected and counted; nothing of it reaches a viewer.
 *
 * Such events are live only: they have no history id, so a client that was away does not get them on
 * resume, and they bump no version counter, so the polling fallback does not see them. An app that
 * also publishes through the Publisher (the atomic script) has both.
 *
 * One broadcast on several matching channels (Laravel's `EVAL` publishes the same payload on each
 * channel of the event, back to back) is delivered once: a message identical to the one just before
 * it, on a channel that one did not come on, is the same broadcast.
 *
 * @internal
 */
export class LaravelFeed {
  private readonly map: LaravelMapper;
  private last: { text: string; channels: Set<string> } | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private closed = false;

  constructor(
    private readonly broker: Broker,
    private readonly options: LaravelOptions,
    private readonly sink: Pick<FeedSink, "deliver">,
    private readonly observer: LaravelObserver,
    private readonly limits: JsonLimits,
  ) {
    checkLaravelOptions(options, broker);
    this.map = options.map ?? laravelBookingEvent;
  }

  /** Subscribes to the pattern; resolves once Redis confirmed it. */
  async start(): Promise<void> {
    const subscribe = this.broker.subscribePattern?.bind(this.broker);
    if (!subscribe) return; // checked in the constructor
    let unsubscribe: () => Promise<void>;
    try {
      unsubscribe = await subscribe(this.options.channels, (channel, text) => this.onMessage(channel, text));
    } catch (error) {
      if (this.closed) return; // closed while connecting: the broker's close() cut it
      throw error;
    }
    if (this.closed) await unsubscribe();
    else this.unsubscribe = unsubscribe;
  }

  /** Stops delivering and closes the subscription (the broker's own `close()` would too). */
  async close(): Promise<void> {
    this.closed = true;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    await unsubscribe?.();
  }

  /** One raw message on a matching channel. */
  onMessage(channel: string, text: string): void {
    if (this.closed || this.isRepeat(channel, text)) return;
    const result = this.toBookingMessage(channel, text);
    if (result instanceof ProtocolError) return this.observer.rejectedBroadcast(result);
    this.sink.deliver(bookingFrame(undefined, result.event), result.scope, false);
  }

  /** The same broadcast again, on another of its channels. */
  private isRepeat(channel: string, text: string): boolean {
    const last = this.last;
    if (last && last.text === text && !last.channels.has(channel)) {
      last.channels.add(channel);
      return true;
    }
    this.last = { text, channels: new Set([channel]) };
    return false;
  }

  private toBookingMessage(channel: string, text: string): ParsedEvent | ProtocolError {
    const json = safeParseJson(text, this.limits);
    if (!json.ok) return json.error;
    const raw = json.value;
    if (!isObject(raw)) return refuse("a Laravel broadcast must be a JSON object {event, data, socket}");
    const data = raw["data"];
    if (!isObject(data)) return refuse("a Laravel broadcast's data must be an object (what broadcastWith() returns)", "data");
    const broadcast: LaravelBroadcast = { channel, event: raw["event"], data, socket: raw["socket"] };
    let mapped: unknown;
    let serialized: string | undefined;
    try {
      mapped = this.map(broadcast);
      if (mapped === null || mapped === undefined) return refuse(`the Laravel broadcast ${JSON.stringify(broadcast.event)} on ${channel} is not a booking event (the mapper returned ${String(mapped)})`);
      serialized = JSON.stringify(mapped);
    } catch (error) {
      return refuse(`the laravel.map function threw on ${channel}: ${(error as Error)?.message ?? String(error)}`);
    }
    if (typeof serialized !== "string") return refuse("the laravel.map function returned something that is not JSON");
    // Validated exactly like a message on the bookings channel: size, depth, keys, every field.
    const parsed = safeParseBookingMessage(serialized, this.limits);
    return parsed.ok ? parsed.value : parsed.error;
  }
}
