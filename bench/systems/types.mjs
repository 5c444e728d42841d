// The shape every system under test implements (JSDoc only; nothing runs here).

/**
 * A booking event as the bench publishes it: `data.seq` numbers events within a run and
 * `data.sent_at` is the publisher's clock (`performance.timeOrigin + performance.now()`, ms).
 *
 * @typedef {object} BenchEvent
 * @property {"update"} type
 * @property {{ id: number, seq: number, specialist_id: number, workpoint_id: number, sent_at: number }} data
 */

/**
 * What a scenario needs from a running system.
 *
 * @typedef {object} SystemInstance
 * @property {import("../load/generator.mjs").Target} target - where and how clients connect
 * @property {(events: BenchEvent[]) => Promise<void>} publish - publishes a batch, as fast as this system's publisher can
 * @property {number | undefined} [publishHttpPort] - a port whose `POST /publish` publishes through the same Redis (opt-in scenario `publish`)
 * @property {() => number[]} pids - root process ids of the server (children are found through /proc)
 * @property {(() => Promise<{ heapUsed: number, rss: number }[]>) | undefined} gc - forces a GC in each Node process and returns its memory
 * @property {boolean} resume - whether a reconnecting client gets the events it missed
 * @property {number | undefined} maxConnections - a ceiling below N this system cannot pass (php-fpm's memory budget)
 * @property {string | undefined} [ceilingReason] - why `maxConnections` is below N
 * @property {(() => { pssKiB: number, rssKiB: number }) | undefined} [baseline] - memory before any connection, when
 *   it is not simply the process tree now (php-fpm: nginx + the FPM master without its pre-forked workers)
 * @property {string[]} notes - what a reader must know about this system's figures
 * @property {(() => Promise<void>) | undefined} [afterClose] - run after the bench closed every client, so
 *   the server lets go of them before the next connections (php-fpm workers notice only when they write)
 * @property {() => Promise<void>} stop
 */

/**
 * A system under test.
 *
 * @typedef {object} SystemDefinition
 * @property {string} key - a letter, as in the issue: a…h
 * @property {string} name - short id, e.g. `ours-redis`
 * @property {string} label - what the tables show
 * @property {boolean} ours - true for this project's hub
 * @property {string[]} binaries - external programs it needs (missing → skipped loudly; in CI → failure)
 * @property {number} [socketProcesses] - how many processes share its sockets (default 1): N is forbidden
 *   when one process's share passes the open-files limit
 * @property {(ctx: StartContext) => Promise<SystemInstance>} start
 */

/**
 * @typedef {object} StartContext
 * @property {number} n - connections the scenarios will open
 * @property {import("../lib/redis.mjs").BenchRedis} redis
 * @property {string} tmpDir - a fresh directory for config files, sockets and logs
 * @property {number} heartbeatMs
 */

export {};
