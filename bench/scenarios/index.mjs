// The five scenarios, in the order the runner plays them.
export { idle } from "./idle.mjs";
export { broadcast } from "./broadcast.mjs";
export { filtered } from "./filtered.mjs";
export { burst } from "./burst.mjs";
export { reconnect } from "./reconnect.mjs";

/** Scenario names, in report order. */
export const SCENARIOS = /** @type {const} */ (["idle", "broadcast", "filtered", "burst", "reconnect"]);
