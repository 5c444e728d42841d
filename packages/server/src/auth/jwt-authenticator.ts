import { type ViewerScope, safeParseViewer } from "@realtime-bookings/protocol";
import type { JWTPayload, JWTVerifyGetKey } from "jose";
import { type JsonWebKey, type KeyObject, createHash } from "node:crypto";
import { AuthenticationError, HubError } from "../errors.js";
import type { Authenticate } from "../options.js";
import { type JwtAlgorithm, verificationKeys } from "./keys.js";
import { TOKEN_FAILURE_REASONS, type TokenFailureReason, tokenFailure } from "./token-failure.js";
import { jwtVerifier } from "./verified-tokens.js";
import { readToken } from "./token-source.js";

/** Options of {@link jwtAuthenticator}. Give `secret`, `publicKey`, or both (during a key migration). */
export interface JwtAuthenticatorOptions {
  /**
   * The shared secret of HS256 tokens (what a PHP app signs with `hash_hmac('sha256', …)`): at least
   * 32 bytes. A string is used as its UTF-8 bytes.
   */
  readonly secret?: string | Uint8Array | undefined;
  /**
   * The public key of RS256/ES256 (or PS…, ES384/512, EdDSA) tokens: a PEM (`-----BEGIN PUBLIC
   * KEY-----`), a JWK, or a `KeyObject`. The app keeps the private key; the hub can only verify.
   */
  readonly publicKey?: string | KeyObject | JsonWebKey | undefined;
  /**
   * The algorithm allowlist. Every token whose `alg` is not listed is refused with `token_algorithm`;
   * `none` can never be listed.
   * @defaultValue `["HS256"]` with a secret, plus the key's own algorithm with a public key
   *   (`RS256` for RSA, `ES256` for P-256, `ES384`, `ES512`, `PS256` for RSA-PSS, `EdDSA` for Ed25519)
   */
  readonly algorithms?: readonly JwtAlgorithm[] | undefined;
  /** The expected `iss` claim; tokens from another issuer are refused with `token_claims`. */
  readonly issuer?: string | readonly string[] | undefined;
  /** The expected `aud` claim; tokens for another audience are refused with `token_claims`. */
  readonly audience?: string | readonly string[] | undefined;
  /**
   * How far apart the app's and the hub's clocks may be, in seconds, when `exp` and `nbf` are checked.
   * @defaultValue 5
   */
  readonly clockToleranceSec?: number | undefined;
  /**
   * The cookie that may hold the token (an app on the same site can set it `HttpOnly`), or `false`.
   * @defaultValue `"rb_token"`
   */
  readonly cookie?: string | false | undefined;
  /**
   * The query parameter that may hold the token (a native `EventSource` cannot send headers), or
   * `false`. Query strings end up in proxy logs: keep such tokens short-lived.
   * @defaultValue `"token"`
   */
  readonly queryParameter?: string | false | undefined;
}

/** What a valid viewer token says. */
export interface VerifiedToken {
  /** The viewer's canonical scope, from the `role`, `specialist_id` and `workpoint_id` claims. */
  readonly viewer: ViewerScope;
  /** The `sub` claim (the signed-in user), when present. */
  readonly subject: string | undefined;
  /**
   * Who holds the token, for the per-viewer connection cap: `sub:<sub>` when the token has a `sub`,
   * else `jti:<jti>`, else `token:<the first 32 hex digits of the token's SHA-256>`. Never the
   * viewer's scope: a cap keyed by what many users share would let one of them lock out the rest.
   */
  readonly key: string;
  /** When the token expires (`exp`), in milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Every claim of the token. */
  readonly claims: JWTPayload;
}

/**
 * A viewer-token verifier, ready to plug into {@link createBookingHub}: `authenticate` is a plain
 * function (no `this`). What it returns carries everything the hub needs: the viewer, the `key` the
 * per-viewer cap counts by, and `expiresAt`, when the hub ends the stream.
 */
export interface JwtAuthenticator {
  /** The algorithms accepted, after defaults: the allowlist every token's `alg` must be on. */
  readonly algorithms: readonly JwtAlgorithm[];
  /**
   * The hub's `authenticate` hook: reads the token, verifies it and returns `{ viewer, key, expiresAt }`
   * (`key`: {@link VerifiedToken.key}; `expiresAt`: `exp` plus the clock tolerance, when this hub stops
   * accepting the token and ends its stream), or throws a 401 `AuthenticationError`.
   */
  readonly authenticate: Authenticate;
  /**
   * Verifies one token string.
   *
   * @throws `AuthenticationError` with a {@link TokenFailureReason}
   */
  readonly verify: (token: string) => Promise<VerifiedToken>;
  /** How many requests were refused, by reason, since start (for metrics). */
  readonly failures: () => Readonly<Record<TokenFailureReason, number>>;
}

const MAX_SUBJECT_LENGTH = 256;

/** `sub`, else `jti`, else a digest of the token itself: what one holder of a token is counted as. */
const identityKey = (sub: string | undefined, jti: string | undefined, token: string): string =>
  sub !== undefined ? `sub:${sub}` : jti !== undefined ? `jti:${jti}` : `token:${createHash("sha256").update(token).digest("hex").slice(0, 32)}`;

/**
 * Verifies viewer tokens (JWTs) with jose: an explicit algorithm allowlist (never `none`), `exp`
 * required, a small clock tolerance, and the viewer claims checked with the protocol's rules.
 *
 * The token is read from the `Authorization: Bearer` header, else the cookie, else the query parameter;
 * the first one present decides. Every refusal is a 401 whose body names a {@link TokenFailureReason}.
 *
 * Claims: `role` (`admin`, `supervisor`, `specialist`), `workpoint_id` for a supervisor,
 * `specialist_id` for a specialist, `exp`, and optionally `sub` (the user: connection caps count by it,
 * else by `jti`, else by a digest of the token),
 * `nbf`, `iat`, `iss`, `aud`.
 *
 * @param options - keys, allowlist and where the token may travel; see {@link JwtAuthenticatorOptions}
 * @throws {@link HubError} `invalid_options` at once for a short secret, a bad key or an algorithm the
 *   key cannot verify
 * @example
 * ```ts
 * import { createBookingHub, jwtAuthenticator } from "@realtime-bookings/server";
 *
 * const auth = jwtAuthenticator({ secret: process.env.REALTIME_BOOKINGS_SECRET! });
 * const hub = createBookingHub({ authenticate: auth.authenticate, maxConnectionsPerViewer: 10 });
 * ```
 */
export function jwtAuthenticator(options: JwtAuthenticatorOptions): JwtAuthenticator {
  const keys = verificationKeys(options);
  const clockTolerance = options.clockToleranceSec ?? 5;
  if (!(Number.isFinite(clockTolerance) && clockTolerance >= 0 && clockTolerance <= 300)) {
    throw new HubError("invalid_options", `clockToleranceSec must be between 0 and 300 seconds, got ${clockTolerance}`);
  }
  const sources = { cookie: options.cookie ?? "rb_token", queryParameter: options.queryParameter ?? "token" } as const;
  const verifyOptions = {
    algorithms: [...keys.algorithms],
    requiredClaims: ["exp"],
    clockTolerance,
    ...(options.issuer === undefined ? {} : { issuer: typeof options.issuer === "string" ? options.issuer : [...options.issuer] }),
    ...(options.audience === undefined ? {} : { audience: typeof options.audience === "string" ? options.audience : [...options.audience] }),
  };
  const keyFor: JWTVerifyGetKey = (header) => keys.keyFor(header.alg ?? "");
  const verifyJwt = jwtVerifier(keyFor, verifyOptions);
  const counts = Object.fromEntries(TOKEN_FAILURE_REASONS.map((r) => [r, 0])) as Record<TokenFailureReason, number>;

  async function verify(token: string): Promise<VerifiedToken> {
    const claims = await verifyJwt(token);
    const viewer = safeParseViewer(claims);
    if (!viewer.ok) throw tokenFailure("token_claims", viewer.error.message);
    const { sub, jti } = claims;
    for (const [name, value] of [["sub", sub], ["jti", jti]] as const) {
      if (value !== undefined && (typeof value !== "string" || value.length === 0 || value.length > MAX_SUBJECT_LENGTH)) {
        throw tokenFailure("token_claims", `${name} must be a string of 1-${MAX_SUBJECT_LENGTH} characters.`);
      }
    }
    return { viewer: viewer.value, subject: sub, key: identityKey(sub, jti, token), expiresAt: (claims.exp as number) * 1000, claims };
  }

  const authenticate: Authenticate = async (request) => {
    try {
      const token = readToken(request, sources);
      if (token === undefined) throw tokenFailure("token_missing");
      if (token === null) throw tokenFailure("token_invalid", "It is too long.");
      const verified = await verify(token);
      // The hub caps connections by who holds the token and ends the stream when the token expires.
      // The stream ends when this hub stops accepting the token (exp plus the clock tolerance): at
      // that moment a reconnection with the same token is refused (token_expired) and the client
      // fetches a fresh one. Ending it at exp itself would let the same token reconnect and be cut
      // again at once, in a loop, for the length of the tolerance.
      return { viewer: verified.viewer, key: verified.key, expiresAt: verified.expiresAt + clockTolerance * 1000 };
    } catch (error) {
      if (error instanceof AuthenticationError) if (error.reason in counts) counts[error.reason as TokenFailureReason] += 1;
      throw error;
    }
  };

  return {
    algorithms: keys.algorithms,
    authenticate,
    verify,
    failures: () => ({ ...counts }),
  };
}
