import { defineCommand } from "./spec.js";
import { TOPOLOGY_OPTIONS } from "./spec-topology.js";

/** Every option of `realtime-bookings serve`: its help, its docs and its bounds. @internal */
export const SERVE = defineCommand({
  name: "serve",
  usage: "realtime-bookings serve [options]",
  intro: `
Runs the push hub over HTTP. Browsers connect to the SSE stream; apps in any language publish
booking changes to Redis with the atomic publish script (docs/protocol.md).

Endpoints (under --path-prefix):
  GET /events    the SSE stream of the viewer's bookings (resume with Last-Event-ID)
  GET /version   {"version": n} of the viewer's scope, with ETag (polling fallback)
  POST /ticket   the token once in Authorization: Bearer -> {"ticket", "expiresIn": 30}:
                 single-use, for /events?ticket= (a native EventSource sends no headers)
  GET /healthz   200 {"ok":true,...}, or 503 while Redis is unreachable
  GET /metrics   counters in Prometheus text; JSON with ?format=json
  POST /publish  a booking event as JSON, with a publisher token (realtime-bookings token
                 --publisher): for apps that cannot reach Redis`,
  options: {
    redis: {
      group: "Broker",
      value: "<url>",
      env: "REDIS_URL",
      help: "Redis to subscribe to, redis://host:port (rediss:// for TLS). Without it: the in-memory broker, this process only.",
      docs: "`redis://` or `rediss://` (TLS), with `user:password@` and `/db` as usual; a bare `host:port` is refused with the URL to write instead. Without it the hub runs on the in-memory broker and says so at start-up: only that process can publish, so PHP cannot reach it.",
    },
    ...TOPOLOGY_OPTIONS,
    channel: { group: "Broker", value: "<name>", default: "<key-prefix>:updates", help: "pub/sub channel" },
    "key-prefix": { group: "Broker", value: "<prefix>", default: "bookings", help: "prefix of the history and version keys", docs: "prefix of the history and version keys; `{bookings}` on Redis Cluster" },
    "history-length": {
      group: "Broker",
      value: "<n>",
      integer: { min: 1, max: 1_000_000, default: 1000 },
      help: "events kept for resume",
      docs: "events kept for resume (publishers pass the same number to the script)",
    },
    "broker-timeout-ms": {
      group: "Broker",
      value: "<ms>",
      integer: { min: 50, max: 60_000, default: 2000 },
      help: "longest a Redis call (and a Redis connection attempt) may take",
      docs: "longest a Redis call or connection attempt may take; the request then fails with 503. A call issued while Redis is away fails at once and is never sent later.",
    },
    "laravel-channels": {
      group: "Broker",
      value: "<pattern>",
      env: "REALTIME_BOOKINGS_LARAVEL_CHANNELS",
      help: "also deliver what a Laravel app broadcasts (Redis broadcaster) on the channels matching this pattern, Laravel's Redis prefix included, e.g. 'laravel_database_*bookings*'; live only; needs --redis",
      docs: "also deliver what a Laravel app broadcasts with its Redis broadcaster on the channels matching this Redis glob pattern (`PSUBSCRIBE`), Laravel's Redis prefix included, e.g. `'laravel_database_*bookings*'`. The broadcast's `data` carries `type`, `id`, `specialist_id`, `workpoint_id` and optionally `previous`; its `socket` becomes the event's `origin`. Anything else on a matching channel is rejected and counted (`messages_rejected`). Such events are live only: not replayed on resume, no version bump, unless the app also publishes with the Publisher (see docs/php.md). Needs `--redis`.",
    },
    secret: {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<secret>",
      env: "REALTIME_BOOKINGS_SECRET",
      help: "HS256 shared secret, >= 32 bytes; prefer the env or --secret-file: flags show in ps",
    },
    "secret-file": {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<path>",
      help: "read the secret from a file; warns once if other users may read it",
      docs: "read the secret from a file (trailing newline ignored); a file its group or every user may read gets one warning on the log (`chmod 600`)",
    },
    "public-key": {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<path>",
      env: "REALTIME_BOOKINGS_PUBLIC_KEY",
      help: "PEM public key for RS256 / ES256 tokens (the env may hold a path or the PEM itself)",
      docs: "PEM public key (the variable may hold a path or the PEM itself): RS256 (RSA), ES256 (P-256), ES384, ES512, PS256 (RSA-PSS), EdDSA (Ed25519). May be combined with a secret during a migration.",
    },
    algorithms: {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<list>",
      default: "HS256 with a secret, the key's algorithm with a public key",
      help: "allowlist, e.g. HS256,RS256; never none",
    },
    issuer: {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<iss>",
      help: "accept only tokens whose iss claim is this; others are refused (token_claims)",
    },
    audience: {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      value: "<aud>",
      help: "accept only tokens whose aud claim is this; others are refused (token_claims)",
    },
    "token-cookie": { group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)", value: "<name>", default: "rb_token", help: "cookie that may hold the token" },
    "no-query-token": { group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)", help: "ignore ?token= altogether, as if absent (by default it is refused with query_token_refused)" },
    "allow-query-token": {
      group: "Viewer tokens (JWT with role, specialist_id / workpoint_id, exp; optional sub, jti)",
      help: "accept ?token= (the weaker choice: URLs end up in logs); by default a native EventSource uses a single-use ticket from POST /ticket",
    },
    port: { group: "HTTP", value: "<n>", env: "PORT", integer: { min: 0, max: 65_535, default: 8080 }, help: "port; 0 picks a free one (the start-up line names it)" },
    host: { group: "HTTP", value: "<address>", default: "0.0.0.0", help: "interface" },
    "path-prefix": { group: "HTTP", value: "<path>", help: "serve the endpoints under it, e.g. /realtime" },
    "cors-origin": {
      group: "HTTP",
      value: "<origin>",
      multiple: true,
      help: "allow this page origin, with credentials; repeat the flag or separate with commas. Other origins get 403 and no stream.",
      docs: "an allowed page origin, exactly `scheme://host[:port]`; repeat the flag or separate with commas. Credentials are allowed, so `*` is refused. Other origins get 403 and no stream.",
    },
    workers: {
      group: "HTTP",
      value: "<n|auto>",
      env: "REALTIME_BOOKINGS_WORKERS",
      default: "1",
      help: "hub processes sharing the port (node:cluster), each with its own Redis subscription; auto: one per core. Needs Redis when above 1; the caps below are for the whole server, split evenly",
      docs: "hub processes sharing the port through `node:cluster`, 1 to 256, or `auto` for one per core (`os.availableParallelism()`). Each worker is a complete hub with its own Redis subscription, so every event reaches every worker; above 1 the in-memory broker is refused (pass `--redis`, `--sentinel` or `--cluster`). `--max-connections` and `--max-sockets` stay caps of the whole server: each worker gets an even share (`--max-connections-per-viewer` holds in each worker). `/metrics` answers for every worker together, `/healthz` for the worker that answers. A worker that crashes is restarted (after 5 crashes in a row within 10 s of starting, the server gives up and exits 1); a worker sent SIGTERM on its own drains and is replaced. See docs/scaling.md.",
    },
    "max-connections": { group: "HTTP", value: "<n>", integer: { min: 1, max: 10_000_000, default: 10_000 }, help: "open streams in this process; 429 past it" },
    "max-connections-per-viewer": {
      group: "HTTP",
      value: "<n>",
      integer: { min: 1, max: 100_000, default: 10 },
      help: "open streams per token holder (its sub, else its jti, else the token itself); 429 past it",
    },
    "max-sockets": {
      group: "HTTP",
      value: "<n>",
      integer: { min: 2, max: 10_001_000 },
      default: "--max-connections + 1000",
      help: "open TCP sockets of any kind, before authentication too; past it a new one is closed at once",
      docs: "open TCP sockets of any kind (streams, polls, requests still sending their headers, idle keep-alive); past it a new connection is closed at once, so idle or half-sent requests cannot exhaust file descriptors. Must be above `--max-connections`.",
    },
    "headers-timeout-ms": {
      group: "HTTP",
      value: "<ms>",
      integer: { min: 100, max: 600_000, default: 5000 },
      help: "a request must send its headers within this, or gets 408 and is closed",
      docs: "a request must send its headers within this, and all of it within twice this, or it gets 408 and is closed (checked every second); an open stream is not affected",
    },
    "heartbeat-ms": { group: "HTTP", value: "<ms>", integer: { min: 10, max: 3_600_000, default: 25_000 }, help: "heartbeat period: every stream gets one per period, spread over it (proxies cut idle lines at 30-100 s)" },
    "retry-ms": { group: "HTTP", value: "<ms>", integer: { min: 1, max: 3_600_000, default: 2000 }, help: "base reconnection delay sent to clients, jittered up to twice it" },
    "metrics-token": { group: "HTTP", value: "<token>", env: "REALTIME_BOOKINGS_METRICS_TOKEN", help: "require Authorization: Bearer <token> on /metrics" },
    "drain-ms": {
      group: "HTTP",
      value: "<ms>",
      integer: { min: 0, max: 600_000, default: 10_000 },
      help: "on SIGTERM, end the open streams spread over this window before shutting down (0: all at once)",
      docs: "on SIGTERM or SIGINT the hub first drains: it opens no new stream (503 `draining`, jittered `Retry-After`; `/healthz` answers 503 so the load balancer moves on), tells each open stream to come back after its own jittered `retry:`, and ends them spread evenly over this window, so clients move to the other hubs a few at a time and resume by id. Then the shutdown below.",
    },
    "publisher-secret": {
      group: "Publishing over HTTP",
      value: "<secret>",
      env: "REALTIME_BOOKINGS_PUBLISHER_SECRET",
      help: "verify publisher tokens (POST /publish) with this HS256 secret instead of the viewer key",
    },
    "shutdown-timeout-ms": {
      group: "HTTP",
      value: "<ms>",
      integer: { min: 1, max: 600_000, default: 5000 },
      help: "on SIGTERM, how long streams may take to end before they are cut",
      docs: "on SIGTERM or SIGINT, how long streams may take to end before they are cut; the process exits 0 within this plus a few seconds, whatever Redis does",
    },
    help: { group: "HTTP", short: "h", help: "show this help" },
  },
  outro: `
SIGTERM or SIGINT drains the hub: no new stream (503, and /healthz 503 so the load balancer moves
on), the open streams ended spread over --drain-ms, each told to come back after its own jittered
delay (to another hub, resuming by id); then it exits 0 within --shutdown-timeout-ms plus a few
seconds, whatever Redis does. A second signal exits at once.

Example:
  REALTIME_BOOKINGS_SECRET=... realtime-bookings serve --redis redis://127.0.0.1:6379 \\
    --port 8080 --cors-origin https://app.example.com`,
});
