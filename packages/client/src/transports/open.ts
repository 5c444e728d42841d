import type { RealtimeEnvironment } from "../environment.js";
import type { TransportName } from "../events.js";
import { resolveHeaders } from "../http.js";
import type { ResolvedOptions } from "../options.js";
import { openEventSource } from "./eventsource.js";
import { openFetchStream } from "./fetch.js";
import type { Transport, TransportHandlers } from "./transport.js";

/**
 * Opens the stream with the chosen transport (internal). The fetch transport first resolves the
 * `headers` and `token` options; closing before they resolved opens nothing.
 */
export function openTransport(
  env: RealtimeEnvironment,
  kind: TransportName,
  options: ResolvedOptions,
  lastEventId: string | undefined,
  handlers: TransportHandlers,
): Transport {
  const request = { url: options.streamUrl, lastEventId, withCredentials: !!options.withCredentials, headers: {} };
  if (kind === "eventsource") return openEventSource(env.EventSource!, request, handlers);
  let inner: Transport | undefined;
  let closed = false;
  resolveHeaders(options.headers, options.token).then(
    (headers) => closed || (inner = openFetchStream(env.fetch!, { ...request, headers }, handlers)),
    handlers.close,
  );
  return {
    close() {
      closed = true;
      inner?.close();
    },
  };
}
