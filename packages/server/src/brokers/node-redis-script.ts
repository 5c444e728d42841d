import { createHash } from "node:crypto";
import type { RunScript } from "./script-publish.js";

/** The keys and arguments of a node-redis `eval`/`evalSha` call. @internal */
export type ScriptOptions = { keys: string[]; arguments: string[] };

/** The two script commands of a node-redis client, cluster or Sentinel client. */
export interface NodeRedisScripting {
  evalSha(sha1: string, options: ScriptOptions): Promise<unknown>;
  eval(script: string, options: ScriptOptions): Promise<unknown>;
}

/**
 * The publish script on a node-redis client, cluster or Sentinel client: `EVALSHA`, and `EVAL` when
 * the node answers `NOSCRIPT` (a restarted Redis, a promoted replica), exactly what node-redis does
 * for the scripts an app gives `createClient({ scripts })`. node-redis attaches those only when the
 * client is created (its `duplicate()` keeps the class it was built with), and the broker receives a
 * client the app already made, so this is the one place that does the same for it; the SHA1 is
 * computed once per script.
 *
 * @param client - the app's node-redis client
 * @param lua - `PUBLISH_SCRIPT` or `CLUSTER_PUBLISH_SCRIPT`
 * @internal
 */
export function nodeRedisScript(client: NodeRedisScripting, lua: string): RunScript {
  const sha1 = createHash("sha1").update(lua).digest("hex");
  return async (keys, args) => {
    try {
      return await client.evalSha(sha1, { keys, arguments: args });
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return client.eval(lua, { keys, arguments: args });
    }
  };
}
