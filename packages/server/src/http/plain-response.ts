import type { ServerResponse } from "node:http";

/** A complete non-streaming answer, rendered in either handler shape. @internal */
export interface PlainResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const JSON_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } as const;

/** A JSON error body `{"error": code, "message": …}`. @internal */
export const errorResponse = (status: number, error: string, message: string, headers: Record<string, string> = {}): PlainResponse => ({
  status,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify({ error, message }),
});

/** @internal */
export const jsonResponse = (status: number, value: unknown, headers: Record<string, string> = {}): PlainResponse => ({
  status,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(value),
});

/** @internal */
export const toFetchResponse = (r: PlainResponse): Response =>
  new Response(r.status === 204 || r.status === 304 ? null : r.body, { status: r.status, headers: r.headers });

/** @internal */
export function sendNode(res: ServerResponse, r: PlainResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(r.status, r.headers);
  res.end(r.status === 204 || r.status === 304 ? undefined : r.body);
}
