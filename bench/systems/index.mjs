// Every system under test, in the order (a)…(h), with this hub's CLI (i, j) beside (a)–(c).
import { betterSse } from "./better-sse.mjs";
import { oursCliJwt, oursCliWorkers } from "./cli.mjs";
import { floor } from "./floor.mjs";
import { nchan } from "./nchan.mjs";
import { oursMemory, oursRedis, oursRedis2, oursVariant } from "./ours.mjs";
import { phpFpm } from "./php-fpm.mjs";
import { socketIo } from "./socketio.mjs";

/** @type {import("./types.mjs").SystemDefinition[]} */
export const SYSTEMS = [oursMemory, ...(oursVariant ? [oursVariant] : []), oursRedis, oursRedis2, oursCliJwt, oursCliWorkers, socketIo, betterSse, phpFpm, nchan, floor];
