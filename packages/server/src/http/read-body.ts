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
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<BodyRead>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, reason: "timeout" }), timeoutMs);
  });
  const read = (async (): Promise<BodyRead> => {
    const source: AsyncIterable<Uint8Array> | null = raw instanceof Request ? (raw.body as AsyncIterable<Uint8Array> | null) : raw;
    if (!source) return { ok: true, text: "" };
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) return { ok: false, reason: "too_large" };
      chunks.push(chunk);
    }
    return { ok: true, text: Buffer.concat(chunks).toString("utf8") };
  })().catch((): BodyRead => ({ ok: false, reason: "aborted" }));
  try {
    return await Promise.race([read, expired]);
  } finally {
    clearTimeout(timer);
  }
}
