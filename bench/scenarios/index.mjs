// The five scenarios, in the order the runner plays them, and the opt-in ones.
export { idle } from "./idle.mjs";
export { broadcast } from "./broadcast.mjs";
export { filtered } from "./filtered.mjs";
export { burst } from "./burst.mjs";
export { reconnect } from "./reconnect.mjs";
export { publish } from "./publish.mjs";

/** Scenario names, in report order: what a run plays by default. */
export const SCENARIOS = /** @type {const} */ (["idle", "broadcast", "filtered", "burst", "reconnect"]);

/**
 * Scenarios played only when named (`--scenarios publish`): `publish` compares publishing over HTTP
 * with publishing through the Redis script, on the systems that have both (this hub on Redis).
 */
export const OPT_IN_SCENARIOS = /** @type {const} */ (["publish"]);
