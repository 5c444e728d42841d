import type { IncomingMessage } from "node:http";

/** What reading a request body gave: its text, or why there is none. @internal */
export type BodyRead = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: "too_large" | "timeout" | "aborted" };

/**
 * Reads a request body as UTF-8 text, at most `maxBytes` (a larger `Content-Length` is refused before
 * reading) and within `timeoutMs`, for either handler shape. Never buffers more than the cap.
 *
 * @internal
 */
export async function readBody(raw: Request | IncomingMessage, maxBytes: number, timeoutMs: number): Promise<BodyRead> {
  const declared = Number(raw instanceof Request ? raw.headers.get("content-length") : raw.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) return { ok: false, reason: "too_large" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<BodyRead>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: "timeout" }), timeoutMs);
  });
  const read = raw instanceof Request ? readWeb(raw, maxBytes) : readNode(raw, maxBytes);
  try {
    return await Promise.race([read, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function readWeb(request: Request, maxBytes: number): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    if (!request.body) return { ok: true, text: "" };
    for await (const chunk of request.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > maxBytes) return { ok: false, reason: "too_large" };
      chunks.push(chunk);
    }
    return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
  } catch {
    return { ok: false, reason: "aborted" };
  }
}

/**
 * The same for `node:http`, with plain listeners: an async iterator over the request costs more than
 * the rest of a publish. Past the cap the request is destroyed, as leaving the iterator would.
 */
function readNode(request: IncomingMessage, maxBytes: number): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: BodyRead): void => {
      request.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > maxBytes) {
        done({ ok: false, reason: "too_large" });
        request.destroy();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => done({ ok: true, text: (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8") });
    const onAbort = (): void => done({ ok: false, reason: "aborted" });
    const onClose = (): void => {
      if (!request.complete) onAbort();
    };
    if (request.readableEnded) return onEnd();
    request.on("data", onData).on("end", onEnd).on("error", onAbort).on("close", onClose);
  });
}
