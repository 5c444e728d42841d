import { type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions, jwtVerify } from "jose";
import { AuthenticationError, type TokenFailureReason } from "../errors.js";

export type { TokenFailureReason } from "../errors.js";

/** Every {@link TokenFailureReason}, in a stable order (for counters and metrics). */
export const TOKEN_FAILURE_REASONS: readonly TokenFailureReason[] = [
  "token_missing",
  "token_invalid",
  "token_algorithm",
  "token_signature",
  "token_expired",
  "token_not_yet_valid",
  "token_claims",
];

const MESSAGES: Record<TokenFailureReason, string> = {
  token_missing: "No viewer token: send it as Authorization: Bearer <token> or as a cookie; a native EventSource opens ?ticket= with a ticket from POST /ticket.",
  token_invalid: "The viewer token is not a well-formed JWT.",
  token_algorithm: "The viewer token is signed with an algorithm this hub does not accept.",
  token_signature: "The viewer token's signature does not match the hub's key.",
  token_expired: "The viewer token has expired; reload the page to get a new one.",
  token_not_yet_valid: "The viewer token is not valid yet; check the clocks of the app and the hub.",
  token_claims: "The viewer token's claims are invalid.",
};

/**
 * The refusal for `reason`: its standard message followed by `detail`, or `message` alone when given.
 * @internal
 */
export const tokenFailure = (reason: TokenFailureReason, detail?: string, message?: string): AuthenticationError =>
  new AuthenticationError(reason, message ?? (detail ? `${MESSAGES[reason]} ${detail}` : MESSAGES[reason]), 401, {
    // RFC 6750 §3: a missing token gets the bare challenge, a bad one says invalid_token.
    "WWW-Authenticate": reason === "token_missing" ? 'Bearer realm="realtime-bookings"' : 'Bearer realm="realtime-bookings", error="invalid_token"',
  });

/**
 * Maps an error thrown by jose's `jwtVerify` to a reason. jose errors carry a stable `code`; anything
 * else (a `TypeError` from a hostile token shape) counts as `token_invalid`, never as a server error.
 *
 * @internal
 */
export function reasonOfJoseError(error: unknown): { reason: TokenFailureReason; detail?: string } {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return { reason: "token_expired" };
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return { reason: "token_algorithm" };
    case "ERR_JOSE_NOT_SUPPORTED":
      // jose says "not supported" both for an algorithm and for an unknown critical extension.
      if (/Extension Header Parameter/i.test(String((error as { message?: unknown }).message))) {
        return { reason: "token_invalid", detail: "Its header marks an extension this hub does not implement as critical (crit)." };
      }
      return { reason: "token_algorithm" };
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return { reason: "token_signature" };
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      // A future nbf is "not yet valid"; an nbf that is not a number is a wrong claim.
      if (claim === "nbf" && (error as { reason?: unknown }).reason === "check_failed") return { reason: "token_not_yet_valid" };
      return { reason: "token_claims", detail: typeof claim === "string" ? `Check the "${claim}" claim.` : "" };
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID and anything unexpected.
      return { reason: "token_invalid" };
  }
}

/**
 * Verifies a JWT with jose's `jwtVerify`; every failure becomes the 401 of its reason
 * ({@link reasonOfJoseError}). Shared by the viewer authenticator and the publisher authorizer.
 *
 * @internal
 */
export async function verifyJwt(token: string, key: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, key, options)).payload;
  } catch (error) {
    const { reason, detail } = reasonOfJoseError(error);
    throw tokenFailure(reason, detail);
  }
}
