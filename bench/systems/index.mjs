// Every system under test, in the order (a)…(h).
import { betterSse } from "./better-sse.mjs";
import { floor } from "./floor.mjs";
import { nchan } from "./nchan.mjs";
import { oursMemory, oursRedis, oursRedis2 } from "./ours.mjs";
import { phpFpm } from "./php-fpm.mjs";
import { socketIo } from "./socketio.mjs";

/** @type {import("./types.mjs").SystemDefinition[]} */
export const SYSTEMS = [oursMemory, oursRedis, oursRedis2, socketIo, betterSse, phpFpm, nchan, floor];
