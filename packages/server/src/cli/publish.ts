import { type JsonObject, ProtocolError, redisKeys, safeParseIdempotencyKey, safeParseJson, versionKeysOf } from "@realtime-bookings/protocol";
import type { Broker } from "../brokers/types.js";
import { type CheckedEvent, checkEvent } from "../publishing/publisher.js";
import type { RedisBrokerOptions } from "../brokers/redis-options.js";
import { type Topology, resolveTopology } from "./serve-config.js";
import { topologyBroker } from "./topology-broker.js";
import { ioredisBroker } from "../brokers/ioredis.js";
import { type Env, RunError, UsageError, firstSet, idValue } from "./args.js";
import { integerOption, parseCommand, renderHelp } from "./spec.js";
import { PUBLISH } from "./spec-publish.js";
import { createRedisClient } from "../brokers/redis-client.js";
import { checkRedisUrl, quitWithin, redactUrl } from "./redis.js";

const FLAG_OF_FIELD: Record<string, string> = {
  type: "--type",
  "data.id": "--id",
  "data.specialist_id": "--specialist",
  "data.workpoint_id": "--workpoint",
  "previous.specialist_id": "--previous-specialist",
  "previous.workpoint_id": "--previous-workpoint",
  previous: "--previous-specialist/--previous-workpoint",
};

/**
 * The limits every hub applies to an event (its default `maxEventLength` and the protocol's depth):
 * the CLI refuses what a hub would refuse, so nothing is stored that no viewer will ever receive.
 */
const HUB_LIMITS = { maxLength: 65_536 } as const;

/** How long `publish` waits for Redis, to connect and to answer: a one-shot command fails fast. */
const CONNECT_DEADLINE_MS = 3_000;

/** The hub's refusal, word for word, with the field named by its flag where there is one. */
function refusal(error: ProtocolError): UsageError {
  const { field, message } = error;
  const flag = field !== undefined && Object.hasOwn(FLAG_OF_FIELD, field) ? FLAG_OF_FIELD[field] : undefined;
  return new UsageError(`invalid booking event: ${flag && field ? message.replace(field, flag) : message}`);
}

function extraData(raw: string | undefined): JsonObject {
  if (raw === undefined) return {};
  // The protocol's own parser (bounded depth, no __proto__), never a bare JSON.parse. The size is
  // checked on the whole event below, so the error names the same length a hub would.
  const parsed = safeParseJson(raw, { maxLength: 1_048_576 });
  if (!parsed.ok) {
    if (parsed.error.code === "invalid_json") throw new UsageError(`--data must be a JSON object such as '{"start":"2025-01-31 10:00"}'`);
    throw refusal(parsed.error);
  }
  const value = parsed.value;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new UsageError("--data must be a JSON object");
  return value;
}

/**
 * `realtime-bookings publish`: validates the event like a hub would, then publishes it once.
 *
 * @returns the exit status
 * @internal
 */
export async function publish(args: readonly string[], env: Env): Promise<number> {
  const flags = parseCommand(PUBLISH, args);
  if (flags.help) {
    process.stdout.write(renderHelp(PUBLISH));
    return 0;
  }
  if (flags.type === undefined) throw new UsageError("--type is required (create, update, delete or test)");
  const isTest = flags.type === "test";
  for (const [flag, value] of [["--id", flags.id], ["--specialist", flags.specialist], ["--workpoint", flags.workpoint]] as const) {
    if (!isTest && value === undefined) throw new UsageError(`${flag} is required for --type ${flags.type}`);
  }
  const data: Record<string, unknown> = { ...extraData(flags.data) };
  if (isTest && flags.data === undefined) data["test"] = true;
  if (flags.id !== undefined) data["id"] = idValue(flags.id);
  if (flags.specialist !== undefined) data["specialist_id"] = idValue(flags.specialist);
  if (flags.workpoint !== undefined) data["workpoint_id"] = idValue(flags.workpoint);
  const previous: Record<string, unknown> = {};
  if (flags["previous-specialist"] !== undefined) previous["specialist_id"] = idValue(flags["previous-specialist"]);
  if (flags["previous-workpoint"] !== undefined) previous["workpoint_id"] = idValue(flags["previous-workpoint"]);
  const event = {
    type: flags.type,
    data,
    ...(Object.keys(previous).length ? { previous } : {}),
    // The tab that made the change: it does not refresh for its own event.
    ...(flags.origin === undefined ? {} : { origin: flags.origin }),
  };

  // Exactly the hub's check (hub.publish and every hub receiving it): serialize, then parse with its limits.
  const parsed = checkEvent(JSON.stringify(event), HUB_LIMITS, true);
  if (!parsed.ok) throw refusal(parsed.error);
  const key = flags["idempotency-key"] === undefined ? undefined : safeParseIdempotencyKey(flags["idempotency-key"]);
  if (key && !key.ok) throw new UsageError(`--idempotency-key: ${key.error.message}`);
  const once = { checked: parsed, key: key?.value };
  const historyLength = integerOption(PUBLISH, "history-length", flags["history-length"]);
  const redisUrl = firstSet(flags.redis, env["REDIS_URL"]);
  const topology = resolveTopology(redisUrl, flags, env);
  if (redisUrl === undefined && topology === undefined) throw new UsageError("Redis is required: --redis redis://127.0.0.1:6379 or REDIS_URL (or --sentinel, --cluster)");
  if (redisUrl !== undefined) checkRedisUrl(redisUrl);
  const keyOptions = { prefix: flags["key-prefix"] ?? "bookings", historyLength, ...(flags.channel === undefined ? {} : { channel: flags.channel }) };
  try {
    redisKeys(keyOptions);
  } catch (error) {
    if (error instanceof ProtocolError) throw new UsageError(`--${error.field === "prefix" ? "key-prefix" : "channel"}: ${error.message}`);
    throw error;
  }

  if (topology) return publishOnTopology(topology, keyOptions, once);
  // The package's one client factory: bounded timeouts, no offline queue, and no reconnection for a
  // one-shot command, so a publish reported as failed is never sent later.
  const client = createRedisClient({ url: redisUrl as string, timeout: CONNECT_DEADLINE_MS / 1000 }, { lazyConnect: true, reconnect: false });
  let lastError: Error | undefined;
  client.on("error", (error: Error) => (lastError = error)); // failures surface through the promises below
  try {
    let timer: NodeJS.Timeout | undefined;
    try {
      // Connecting (TCP, then Redis's answer to the ready check) gets the same 3 s as a command.
      await Promise.race([
        client.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_DEADLINE_MS / 1000} s`)), CONNECT_DEADLINE_MS);
        }),
      ]);
    } catch (error) {
      throw new RunError(`cannot reach Redis at ${redactUrl(redisUrl as string)}: ${(lastError ?? (error as Error)).message}`);
    } finally {
      clearTimeout(timer);
    }
    await publishOnce(ioredisBroker(client, keyOptions), once);
  } finally {
    await quitWithin(client, 1_000);
  }
  return 0;
}

/** The checked event and its checked idempotency key, if any. */
type OneEvent = { readonly checked: Extract<CheckedEvent, { ok: true }>; readonly key: string | undefined };

/** Publishes the event (once per key, when there is one) and prints its id. */
async function publishOnce(broker: Broker, { checked, key }: OneEvent): Promise<void> {
  const versionKeys = versionKeysOf(broker.keys, checked.scope);
  try {
    if (key === undefined) {
      process.stdout.write(`${await broker.publish(checked.json, versionKeys)}\n`);
      return;
    }
    if (!broker.publishIdempotent) throw new Error(`the ${broker.kind} broker cannot publish with an idempotency key`);
    const { id, replayed } = await broker.publishIdempotent(checked.json, versionKeys, key);
    process.stdout.write(`${id}\n`);
    if (replayed) process.stderr.write("replayed: this --idempotency-key was published before; nothing was published again\n");
  } catch (error) {
    throw new RunError(`publishing failed: ${(error as Error).message}`);
  }
}

/** Publishes through a Sentinel set or a Cluster (the Cluster names and script when it is one). */
async function publishOnTopology(topology: Topology, keyOptions: RedisBrokerOptions, once: OneEvent): Promise<number> {
  const { client, broker } = await topologyBroker(topology, keyOptions, CONNECT_DEADLINE_MS / 1000);
  try {
    await publishOnce(broker, once);
  } finally {
    await quitWithin(client, 1_000);
  }
  return 0;
}
