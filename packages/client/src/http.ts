import { RealtimeBookingsError } from "./errors.js";
import type { FetchLike, FetchLikeResponse } from "./environment.js";
import { parseObject } from "./parse.js";

/**
 * Request headers, or a function that returns them; it is called before every request.
 *
 * @example
 * ```ts
 * headers: () => ({ "X-CSRF-Token": document.querySelector<HTMLMetaElement>("meta[name=csrf]")!.content })
 * ```
 */
export type HeadersOption =
  | Readonly<Record<string, string>>
  | (() => Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>);

/**
 * A bearer token, or a function that returns the current one; it is called before every request, so
 * a refreshed token is used instead of an expired one. `null` or `undefined` sends no token.
 *
 * @example
 * ```ts
 * token: async () => (await auth.getSession())?.accessToken
 * ```
 */
export type TokenOption = string | (() => string | null | undefined | Promise<string | null | undefined>);

/** Appends `name=<value>` to a URL (`lastEventId`, `ticket`), unless `value` is empty (internal). */
export const withParam = (url: string, name: string, value: string | undefined): string =>
  value ? `${url}${url.includes("?") ? "&" : "?"}${name}=${encodeURIComponent(value)}` : url;

/**
 * Calls the `headers` and `token` options and merges what they return over `base` (internal).
 *
 * @throws {@link RealtimeBookingsError} `headers_failed` when either throws or rejects
 */
export async function resolveHeaders(base: Record<string, string>, { headers, token }: Credentials): Promise<Record<string, string>> {
  try {
    const result = { ...base, ...(typeof headers === "function" ? await headers() : headers) };
    const value = typeof token === "function" ? await token() : token;
    if (value) result["Authorization"] = `Bearer ${value}`;
    return result;
  } catch (cause) {
    throw new RealtimeBookingsError("headers_failed", { cause });
  }
}

/**
 * The error for a non-success status (internal): 401 `unauthorized`, 403 `forbidden`, 204 from the
 * stream `no_content`, anything else `http_error`. `retryAfter` is the `Retry-After` header: a
 * positive number of seconds counts (capped at 10 minutes, so an absurd value cannot overflow a
 * timer); an HTTP date or anything else is ignored (the hub sends seconds).
 */
export const statusError = (status: number, stream?: boolean, serverCode?: unknown, detail?: unknown, retryAfter?: string | null): RealtimeBookingsError =>
  new RealtimeBookingsError(status === 401 ? "unauthorized" : status === 403 ? "forbidden" : status === 204 && stream ? "no_content" : "http_error", {
    status,
    serverCode: typeof serverCode === "string" ? serverCode : undefined,
    detail: detail ? `${detail}` : undefined,
    retryAfterMs: +retryAfter! > 0 ? Math.min(+retryAfter!, 600) * 1000 : undefined,
  });

/**
 * How long to wait after `error` when the server sent `Retry-After` (internal): that long plus up to
 * 1 s of jitter (never less: the hub already spreads its answers over whole seconds), else `undefined`.
 */
export const retryWait = (error: RealtimeBookingsError, random: () => number): number | undefined =>
  error.retryAfterMs && error.retryAfterMs + random() * 1000;

/** What {@link get} reads from the options: the credentials every request carries (internal). */
export type Credentials = { readonly headers?: HeadersOption | undefined; readonly token?: TokenOption | undefined; readonly withCredentials?: boolean | undefined };

/**
 * One GET (or a `method` request) as the client makes them (internal): `headers` plus the `headers`
 * and `token` options (called now, so a refreshed token is used), no HTTP cache, cookies cross-origin
 * only with `withCredentials`. Resolves with a 200 or 304 response.
 *
 * @throws {@link RealtimeBookingsError} `headers_failed` when the `headers` or `token` option fails,
 *   `network_error` when the request fails, or the
 *   {@link statusError} of any other status; for 401 and 403 the server's JSON body
 *   (`{"error":"token_expired","message":"…"}`) gives the error its `serverCode` and detail, and a
 *   `Retry-After` header its `retryAfterMs`
 */
export async function get(
  fetch: FetchLike,
  url: string,
  headers: Record<string, string>,
  options: Credentials,
  signal: AbortSignal,
  stream?: boolean,
  method?: string,
): Promise<FetchLikeResponse> {
  const sent = await resolveHeaders(headers, options);
  let response: FetchLikeResponse;
  try {
    response = await fetch(url, { method, headers: sent, credentials: options.withCredentials ? "include" : "same-origin", cache: "no-store", signal });
  } catch (cause) {
    throw new RealtimeBookingsError("network_error", { cause });
  }
  const { status } = response;
  if (status === 200 || status === 304) return response;
  // The caller aborts the request afterwards, which also releases an unread body.
  const body = status === 401 || status === 403 ? parseObject(await response.text().catch(() => "")) : {};
  throw statusError(status, stream, body["error"], body["message"], response.headers.get("retry-after"));
}
