import { defineCommand } from "./spec.js";
import { TOPOLOGY_OPTIONS } from "./spec-topology.js";

/** Every option of `realtime-bookings publish`: its help, its docs and its bounds. @internal */
export const PUBLISH = defineCommand({
  name: "publish",
  usage: "realtime-bookings publish --type <type> --id <id> --specialist <id> --workpoint <id> [options]",
  intro: `
Publishes one booking change through Redis with the atomic publish script, exactly as a PHP app
does: the event is appended to the history, the version counters of its scope are bumped, and it
is published on the channel with its history id. Every hub on that Redis delivers it to the
viewers allowed to see it. Prints the event's history id.

The event is first checked exactly as a hub checks it (fields, ids, no __proto__, depth 16,
65,536 characters): what a hub would refuse is refused here with the hub's own error, and nothing
is published.`,
  options: {
    type: { group: "Event", value: "<type>", help: "create, update, delete, or test (a diagnostic event)" },
    id: { group: "Event", value: "<id>", help: "the booking id" },
    specialist: { group: "Event", value: "<id>", help: "the specialist the booking belongs to (now)" },
    workpoint: { group: "Event", value: "<id>", help: "the workpoint the booking belongs to (now)" },
    "previous-specialist": { group: "Event", value: "<id>", help: "for an update that moved the booking: the specialist before" },
    "previous-workpoint": { group: "Event", value: "<id>", help: "for an update that moved the booking: the workpoint before" },
    data: { group: "Event", value: "<json>", help: `more booking fields, as a JSON object, e.g. '{"start":"10:00"}'` },
    origin: {
      group: "Event",
      value: "<client-id>",
      help: "the browser tab that made the change (its realtime.clientId): that tab does not refresh for it",
    },
    "idempotency-key": {
      group: "Event",
      value: "<key>",
      help: "makes a retry safe: a publish with a key already used (24 h) publishes nothing and prints the first id; 1-255 visible ASCII characters, e.g. a UUID",
    },
    redis: { group: "Redis", value: "<url>", env: "REDIS_URL", help: "Redis URL, redis://host:port (rediss:// for TLS); or --sentinel / --cluster" },
    ...TOPOLOGY_OPTIONS,
    channel: { group: "Redis", value: "<name>", default: "<key-prefix>:updates", help: "pub/sub channel" },
    "key-prefix": { group: "Redis", value: "<prefix>", default: "bookings", help: "prefix of the history and version keys" },
    "history-length": { group: "Redis", value: "<n>", integer: { min: 1, max: 1_000_000, default: 1000 }, help: "events kept for resume" },
    help: { group: "Redis", short: "h", help: "show this help" },
  },
  outro: `
Ids are non-negative integers or 1-64 characters of A-Z a-z 0-9 _ -; 42 and "42" are the same.
A publish that fails (Redis unreachable: exit 1) is never sent later: it is safe to retry.
One that timed out may have been stored: retry it with the same --idempotency-key, and it is
published at most once (a replay prints the first id, and "replayed" on stderr). The same key
with a different event is refused (exit 1) and nothing is published.

Example (the original system's test_booking_push.php):
  realtime-bookings publish --type create --id 42 --specialist 3 --workpoint 1 --redis redis://127.0.0.1:6379`,
});
