import { type EventId, type RedisKeys, parseEventId } from "@realtime-bookings/protocol";
import { HubError } from "../errors.js";
import { type IdempotentPublish, idempotencyRecordOf, idempotencyWindowOf, idempotentReply, reusedKeyError } from "./idempotency.js";
import { type RedisBrokerOptions, historyLengthOf } from "./redis-options.js";
import type { Broker } from "./types.js";

/** Runs the publish script with its keys and arguments, through the client's own script support. @internal */
export type RunScript = (keys: string[], args: string[]) => Promise<unknown>;

/** What {@link scriptPublisher} needs. @internal */
export interface ScriptPublisherOptions {
  readonly keys: RedisKeys;
  /** The broker's options: the history length and the idempotency window. */
  readonly broker: Pick<RedisBrokerOptions, "historyLength" | "idempotencyWindowMs">;
  /** Turns a client error into the broker's typed error (default: as it is). */
  readonly failure?: (error: unknown) => unknown;
  /** Called before each publish: throws to refuse one that must not be sent (Redis lost). */
  readonly before?: () => void;
}

/**
 * The two publish operations of a Redis broker, on one way to run the publish script: the plain call
 * (`KEYS` history + counters, `ARGV` channel, length, event: the reply is the id) and the idempotent
 * one (the record as the last key, the window as `ARGV[4]`: the reply is `[id, replayed]`).
 *
 * @internal
 */
export function scriptPublisher(run: RunScript, options: ScriptPublisherOptions): Pick<Broker, "publish" | "publishIdempotent"> {
  const { keys, before, failure = (error: unknown) => error } = options;
  const length = String(historyLengthOf(options.broker));
  const window = String(idempotencyWindowOf(options.broker.idempotencyWindowMs));
  const call = async (keyList: string[], args: string[]): Promise<unknown> => {
    before?.();
    try {
      return await run(keyList, args);
    } catch (error) {
      throw reusedKeyError(error) ?? failure(error);
    }
  };
  return {
    async publish(eventJson, versionKeys): Promise<EventId> {
      const reply = await call([keys.history, ...versionKeys], [keys.channel, length, eventJson]);
      const id = parseEventId(reply);
      if (!id) throw new HubError("broker_error", `the publish script returned ${String(reply)}, not a history id`);
      return id;
    },
    async publishIdempotent(eventJson, versionKeys, idempotencyKey): Promise<IdempotentPublish> {
      const record = idempotencyRecordOf(keys, idempotencyKey);
      return idempotentReply(await call([keys.history, ...versionKeys, record], [keys.channel, length, eventJson, window]));
    },
  };
}
