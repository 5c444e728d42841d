import type { RealtimeEnvironment } from "../environment.js";
import type { TransportName } from "../events.js";
import { resolveHeaders } from "../http.js";
import type { ResolvedOptions } from "../options.js";
import { openEventSource } from "./eventsource.js";
import { openFetchStream } from "./fetch.js";
import type { Transport, TransportHandlers } from "./transport.js";

/**
 * Opens the stream with the chosen transport (internal). The fetch transport first resolves the
 * `headers` and `token` options (a failure closes it with `headers_failed`).
 */
export function openTransport(
  env: RealtimeEnvironment,
  kind: TransportName,
  options: ResolvedOptions,
  lastEventId: string | undefined,
  handlers: TransportHandlers,
): Transport {
  const headers = (): Promise<Record<string, string>> => resolveHeaders(options.headers, options.token);
  const request = { url: options.streamUrl, lastEventId, withCredentials: !!options.withCredentials, headers };
  return kind === "eventsource" ? openEventSource(env.EventSource!, request, handlers) : openFetchStream(env.fetch!, request, handlers);
}
