import type { ServerOptions } from "node:http";
import { HubError } from "../errors.js";

/** The socket limits of the standalone server: what a client may hold before it has authenticated. */
export interface SocketLimitOptions {
  /**
   * The most open TCP sockets, streams and everything else (requests still sending their headers,
   * idle keep-alive sockets, version polls). Past it, a new connection is closed at once, so idle or
   * half-sent requests cannot exhaust the process's file descriptors. Keep it above the hub's
   * `maxConnections`, so there is always room for polls, health checks and new streams.
   * @defaultValue 11000 (`realtime-bookings serve`: `--max-connections` + 1000)
   */
  readonly maxSockets?: number | undefined;
  /**
   * How long a client may take to send its request headers, in ms; then it gets 408 and is closed.
   * Stream requests have no body, so the whole request must arrive within twice this. The stream
   * itself then lasts as long as it likes.
   * @defaultValue 5000
   */
  readonly headersTimeoutMs?: number | undefined;
}

/** The resolved limits, as `node:http` options. @internal */
export function socketLimits(options: SocketLimitOptions): { maxSockets: number; serverOptions: ServerOptions } {
  const maxSockets = options.maxSockets ?? 11_000;
  const headersTimeoutMs = options.headersTimeoutMs ?? 5_000;
  for (const [name, value] of [["maxSockets", maxSockets], ["headersTimeoutMs", headersTimeoutMs]] as const) {
    if (!(Number.isSafeInteger(value) && value >= 1)) throw new HubError("invalid_options", `${name} must be a positive integer, got ${value}`);
  }
  return {
    maxSockets,
    serverOptions: {
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs * 2,
      // node:http checks these timeouts on this interval (30 s by default, which would let a
      // half-sent request live six times longer than headersTimeoutMs).
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
    },
  };
}
