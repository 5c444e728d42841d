import type { RealtimeEnvironment } from "../environment.js";
import { asError } from "../errors.js";
import type { TransportName } from "../events.js";
import { get, withParam } from "../http.js";
import type { ResolvedOptions } from "../options.js";
import { parseObject } from "../parse.js";
import { openEventSource } from "./eventsource.js";
import { openFetchStream } from "./fetch.js";
import type { Transport, TransportHandlers } from "./transport.js";

/**
 * Opens the stream with the chosen transport (internal). The fetch transport first resolves the
 * `headers` and `token` options (a failure closes it with `headers_failed`). The native transport
 * with a `token` first exchanges it, in the `Authorization` header, for a single-use ticket
 * (`POST ticketUrl`) and opens `?ticket=`: the token never sits in a URL. A refused exchange closes
 * it as a refused stream would (401 fatal, 429 after its `Retry-After`).
 */
export function openTransport(
  env: RealtimeEnvironment,
  kind: TransportName,
  options: ResolvedOptions,
  lastEventId: string | undefined,
  handlers: TransportHandlers,
): Transport {
  const url = withParam(options.streamUrl, "lastEventId", lastEventId);
  if (kind === "fetch") return openFetchStream(env.fetch!, url, lastEventId, options, handlers);
  const { token, streamUrl, ticketUrl = streamUrl.replace(/[^/]*$/, "ticket") } = options;
  const controller = new AbortController();
  const { signal } = controller;
  let source: Transport | undefined;
  const open = (url: string): unknown => signal.aborted || (source = openEventSource(env.EventSource!, url, !!options.withCredentials, handlers));
  if (token === undefined) open(url);
  else
    (async () => {
      const { ticket } = parseObject(await (await get(env.fetch!, ticketUrl as string, {}, options, signal, false, "POST")).text());
      // A body without a ticket opens no ticket: the hub refuses that, and the client retries as usual.
      open(withParam(url, "ticket", ticket as string));
    })().catch((error: unknown) => signal.aborted || handlers.close(asError(error)));
  return { close: () => (controller.abort(), source?.close()) };
}
