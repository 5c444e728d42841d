import type { Cluster, Redis } from "ioredis";
import type { RunScript } from "./script-publish.js";

/** The method name ioredis gets for a publish script (one per script text, so both can coexist). */
const COMMANDS = { single: "realtimeBookingsPublish", cluster: "realtimeBookingsClusterPublish" } as const;

type ScriptCommand = (numKeys: number, ...keysAndArgs: string[]) => Promise<unknown>;

/**
 * The publish script as an ioredis custom command (`defineCommand`, on a `Redis` or a `Cluster`):
 * ioredis sends the script with `EVAL` the first time on each connection and `EVALSHA` after, and
 * sends it again when a node answers `NOSCRIPT` (scripts are not replicated: a promoted master does
 * not know it yet). Defining the command adds one method to the app's client; defining it again (a
 * second broker on the same client) replaces it with the same script.
 *
 * @param client - the app's ioredis client or cluster
 * @param lua - `PUBLISH_SCRIPT` or `CLUSTER_PUBLISH_SCRIPT`
 * @param kind - which of the two it is (names the method)
 * @internal
 */
export function ioredisScript(client: Redis | Cluster, lua: string, kind: keyof typeof COMMANDS): RunScript {
  const name = COMMANDS[kind];
  client.defineCommand(name, { lua });
  const command = (client as unknown as Record<string, ScriptCommand>)[name];
  if (typeof command !== "function") throw new TypeError(`ioredis did not define the ${name} command`);
  return (keys, args) => command.call(client, keys.length, ...keys, ...args);
}
