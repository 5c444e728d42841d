import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Starts an SSE response on a Node `ServerResponse`: tunes the socket for a long-lived stream and
 * writes the head.
 *
 * On HTTP/1.1 the body is close-delimited (`Connection: close`, no `Transfer-Encoding: chunked`), which
 * HTTP allows for a response that ends only when the connection does (RFC 9112 §6.3). Each event is
 * then one buffer and one `write` per connection instead of a chunk-size line, the frame and a CRLF
 * gathered into a `writev`: about a third less CPU per delivery on a broadcast (see
 * `docs/benchmarks.md`). A stream's connection is never reused for another request anyway: it ends
 * when the client goes away or the hub closes it, and the client then opens a new one.
 *
 * @internal
 */
export function writeStreamHead(req: IncomingMessage, res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true);
  if (req.httpVersion === "1.1") {
    res.removeHeader("Transfer-Encoding");
    res.writeHead(200, { ...headers, Connection: "close" });
  } else {
    res.writeHead(200, headers);
  }
}
