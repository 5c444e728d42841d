import { safeParseId } from "@realtime-bookings/protocol";
import { type JWTPayload, type JWTVerifyGetKey, SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { AuthenticationError, HubError } from "../errors.js";
import type { HubRequest } from "../http/request.js";
import type { AuthorizePublish, PublishGrant } from "../options.js";
import { type JwtAlgorithm, MIN_SECRET_BYTES, verificationKeys } from "./keys.js";
import { tokenFailure } from "./token-failure.js";
import { jwtVerifier } from "./verified-tokens.js";
import { MAX_TOKEN_LENGTH } from "./token-source.js";

/** Options of {@link publisherAuthorizer}: the keys that verify publisher tokens. */
export interface PublisherAuthorizerOptions {
  /** HS256 secret (at least 32 bytes): the hub's viewer secret, or a separate publisher secret. */
  readonly secret?: string | Uint8Array | undefined;
  /** A PEM public key (RS256/ES256/EdDSA). */
  readonly publicKey?: string | undefined;
  /** The algorithm allowlist (never `none`). */
  readonly algorithms?: readonly JwtAlgorithm[] | undefined;
  /** Require this `iss`. */
  readonly issuer?: string | undefined;
  /** Require this `aud`. */
  readonly audience?: string | undefined;
  /** @defaultValue 5 */
  readonly clockToleranceSec?: number | undefined;
}

const BEARER = /^Bearer[ \t]+([A-Za-z0-9._~+/=-]+)$/;

/**
 * Authorizes the publish endpoint (`hub.publisher`, the standalone hub's `POST /publish`) with
 * publisher tokens: JWTs verified with the given keys that carry `"publish": true` and `exp`, and
 * optionally `"workpoints": [1, 2]` to limit them to those workpoints. The token travels only in the
 * `Authorization: Bearer` header (server to server: never a cookie or a URL). A viewer token can never
 * publish: it has no `publish` claim (403 `forbidden`).
 *
 * @param options - the verification keys; see {@link PublisherAuthorizerOptions}
 * @returns an `authorizePublish` for {@link createBookingHub}
 * @throws {@link HubError} `invalid_options` for a short secret or an unusable key
 * @example
 * ```ts
 * const hub = createBookingHub({ authenticate, authorizePublish: publisherAuthorizer({ secret: process.env.PUBLISHER_SECRET }) });
 * ```
 */
export function publisherAuthorizer(options: PublisherAuthorizerOptions): AuthorizePublish {
  const keys = verificationKeys(options);
  const keyFor: JWTVerifyGetKey = (header) => keys.keyFor(header.alg ?? "");
  const verifyOptions = {
    algorithms: [...keys.algorithms],
    requiredClaims: ["exp"],
    clockTolerance: options.clockToleranceSec ?? 5,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  const verifyJwt = jwtVerifier(keyFor, verifyOptions);
  return async (request: HubRequest): Promise<PublishGrant> => {
    const header = request.header("authorization");
    if (header === undefined) throw tokenFailure("token_missing", "Send a publisher token as Authorization: Bearer <token>.");
    const token = BEARER.exec(header)?.[1];
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) throw tokenFailure("token_invalid", "The Authorization header must be Bearer <token>.");
    const claims = await verifyJwt(token);
    if (claims["publish"] !== true) {
      throw new AuthenticationError("forbidden", "This token may not publish: mint a publisher token (realtime-bookings token --publisher).", 403);
    }
    return grantOf(claims["workpoints"]);
  };
}

/** The grant a token's `workpoints` claim gives: everything when absent. */
function grantOf(workpoints: unknown): PublishGrant {
  if (workpoints === undefined) return true;
  if (!Array.isArray(workpoints) || workpoints.length === 0 || workpoints.some((w) => !safeParseId(w, "workpoints").ok)) {
    throw tokenFailure("token_claims", "workpoints must be a non-empty list of workpoint ids.");
  }
  return { workpoints: workpoints as Array<string | number> };
}

/** Options of {@link signPublisherToken}. */
export interface SignPublisherTokenOptions {
  /** The HS256 secret the hub verifies publisher tokens with (at least 32 bytes). */
  readonly secret: string | Uint8Array;
  /** @defaultValue 3600 (an hour) */
  readonly expiresInSec?: number | undefined;
  /** Limit the token to these workpoints (every workpoint of an event, old and new, must be one). */
  readonly workpoints?: ReadonlyArray<string | number> | undefined;
  /** The `sub` claim: who publishes (for logs). @defaultValue `"publisher"` */
  readonly subject?: string | undefined;
  /** The `iss` claim, when the hub checks one. */
  readonly issuer?: string | undefined;
  /** The `aud` claim, when the hub checks one. */
  readonly audience?: string | undefined;
}

/**
 * Signs a publisher token (HS256) that {@link publisherAuthorizer} accepts: `publish: true`, `sub`,
 * `jti`, `iat`, `exp`, and `workpoints` when limited.
 *
 * @throws {@link HubError} `invalid_options` for a short secret, a bad lifetime or bad workpoints
 * @example
 * ```ts
 * const token = await signPublisherToken({ secret, workpoints: [1] });
 * await fetch("https://hub.example.com/publish", { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body });
 * ```
 */
export async function signPublisherToken(options: SignPublisherTokenOptions): Promise<string> {
  const secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
  if (secret.byteLength < MIN_SECRET_BYTES) throw new HubError("invalid_options", `the secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const ttl = options.expiresInSec ?? 3600;
  if (!Number.isSafeInteger(ttl) || ttl < 1) throw new HubError("invalid_options", `expiresInSec must be a positive integer, got ${ttl}`);
  if (options.workpoints !== undefined && (options.workpoints.length === 0 || options.workpoints.some((w) => !safeParseId(w, "workpoints").ok))) {
    throw new HubError("invalid_options", "workpoints must be a non-empty list of workpoint ids");
  }
  let jwt = new SignJWT({ publish: true, ...(options.workpoints ? { workpoints: [...options.workpoints] } : {}) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.subject ?? "publisher")
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttl);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(secret);
}
