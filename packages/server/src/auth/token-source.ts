import type { HubRequest } from "../http/request.js";
import { tokenFailure } from "./token-failure.js";

/** Where {@link readToken} looks for a viewer token, in this order. @internal */
export interface TokenSources {
  /** The cookie name, or `false` for none. */
  readonly cookie: string | false;
  /** The query parameter name, or `false` for none. */
  readonly queryParameter: string | false;
}

/** @internal */
export const MAX_TOKEN_LENGTH = 8192;

const BEARER = /^Bearer[ \t]+([^\s,]+)[ \t]*$/i;

/**
 * Reads the viewer token from, in order: the `Authorization: Bearer` header (what the fetch transport
 * sends), the cookie, the query parameter (what a native `EventSource` can send). The first source
 * present wins: a bad header token is refused, never silently replaced by a cookie. An
 * `Authorization` header that is not exactly `Bearer <token>` (`Bearer a b`, a bare `Bearer`,
 * `Basic …`) is refused too: whoever sent it meant to authenticate with it, and a cookie or a
 * `?token=` the same request carries must not stand in for it.
 *
 * @returns the token, `undefined` when no source holds one, or `null` when the token is unusable
 *   (longer than {@link MAX_TOKEN_LENGTH})
 * @throws `AuthenticationError` `token_invalid` for a malformed `Authorization` header
 * @internal
 */
export function readToken(request: HubRequest, sources: TokenSources): string | null | undefined {
  let token: string | undefined;
  const authorization = request.header("authorization")?.trim();
  if (authorization) {
    const bearer = BEARER.exec(authorization);
    if (!bearer) {
      const scheme = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*/.exec(authorization)?.[0];
      const shown = scheme === undefined ? "" : scheme.toLowerCase() === "bearer" ? " (Bearer needs exactly one token after it)" : ` (its scheme is ${scheme.slice(0, 20)})`;
      throw tokenFailure("token_invalid", undefined, `The Authorization header must be exactly "Bearer <token>"${shown}; it was not used, and neither was any cookie or ?token=.`);
    }
    token = bearer[1];
  } else if (sources.cookie !== false && request.cookie(sources.cookie)) token = request.cookie(sources.cookie);
  else if (sources.queryParameter !== false && request.url.searchParams.get(sources.queryParameter)) {
    token = request.url.searchParams.get(sources.queryParameter) ?? undefined;
  }
  if (token === undefined) return undefined;
  return token.length > MAX_TOKEN_LENGTH ? null : token;
}
