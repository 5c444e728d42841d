import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** What node:http keeps on a server socket, beyond `net.Socket` (Node 20–24). */
interface HttpServerSocket extends Socket {
  parser?: { unconsume?: unknown; remove?: unknown } | null;
}

/** Node's own `freeParser` (`_http_common`), the one its `upgrade` path uses; absent before Node 20.16. */
type FreeParser = (parser: unknown, req: unknown, socket: unknown) => void;

const freeParser = ((): FreeParser | undefined => {
  try {
    const common = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule?.("_http_common") as { freeParser?: unknown } | undefined;
    return typeof common?.freeParser === "function" ? (common.freeParser as FreeParser) : undefined;
  } catch {
    return undefined;
  }
})();

/**
 * The socket listeners node:http's server adds to every connection (`_http_server.js`), by event. Only
 * these are removed; net's own (`onReadableStreamEnd`) and anyone else's stay.
 */
const NODE_HTTP_LISTENERS: ReadonlyArray<readonly [event: string, name: string]> = [
  ["data", "bound socketOnData"],
  ["end", "bound socketOnEnd"],
  ["close", "bound socketOnClose"],
  ["drain", "bound socketOnDrain"],
  ["error", "socketOnError"],
  ["timeout", "socketOnTimeout"],
  ["resume", "onSocketResume"],
  ["pause", "onSocketPause"],
];

const nameOf = (listener: unknown): string => (listener as { name?: string }).name ?? "";

/** Socket errors after the take-over (a reset peer): the socket closes, which ends the stream. */
const ignoreError = (): void => {};

/** Whether every `data` listener is node:http's: a socket someone else reads is left alone. */
const onlyNodeHttpReads = (socket: Socket): boolean => socket.listeners("data").every((listener) => nameOf(listener) === "bound socketOnData");

/**
 * Takes the socket of an SSE response whose head is on the wire away from node:http, as node:http's
 * own `upgrade` path does: its HTTP parser goes back to the pool, its listeners come off the socket,
 * and the response lets go of it. What node:http kept for the stream (the `IncomingMessage` with its
 * URL and headers, credentials included; the `ServerResponse`; the parser; their closures) can then be
 * collected, and the stream's bytes go to the socket directly, as they already did on the wire (the
 * body is close-delimited).
 *
 * Done only when it is safe: an HTTP/1.1 request fully read, its response flushed to this socket and
 * nothing of it queued, node:http the socket's only reader, and Node's `freeParser` available
 * (Node ≥ 20.16). Otherwise the stream stays on the response, as before.
 *
 * Only for a server whose every request the hub handles (the standalone server): middleware that
 * waits for the response's `close` or `finish` would never hear of it again.
 *
 * @returns the socket, now the caller's to write to, end and listen on; `undefined` when it was not taken
 * @internal
 */
export function takeSocket(req: IncomingMessage, res: ServerResponse): Socket | undefined {
  const socket = req.socket as HttpServerSocket | null;
  const parser = socket?.parser;
  const queued = (res as { outputData?: unknown[] }).outputData;
  if (
    !freeParser ||
    !socket ||
    !parser ||
    typeof parser.unconsume !== "function" ||
    typeof parser.remove !== "function" ||
    typeof res.detachSocket !== "function" ||
    req.httpVersion !== "1.1" ||
    !req.complete ||
    res.socket !== socket ||
    !res.headersSent ||
    !Array.isArray(queued) ||
    queued.length > 0 ||
    socket.destroyed ||
    !onlyNodeHttpReads(socket)
  ) {
    return undefined;
  }
  freeParser(parser, req, socket);
  res.detachSocket(socket);
  for (const [event, name] of NODE_HTTP_LISTENERS) {
    for (const listener of socket.listeners(event)) if (nameOf(listener) === name) socket.removeListener(event, listener as (...args: unknown[]) => void);
  }
  socket.on("error", ignoreError);
  // node:http's server sockets are half-open and its `end` listener ended them; now the client's FIN
  // ends the socket by itself. Nothing reads the request side any more: whatever the client sends
  // after its request is dropped.
  socket.allowHalfOpen = false;
  socket.resume();
  return socket;
}
