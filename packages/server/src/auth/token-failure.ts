import { AuthenticationError } from "../errors.js";

/**
 * Why a viewer token was refused. Sent to the client as the `error` field of a 401 body, so a page can
 * say what to do ("sign in again" for `token_expired`, "contact the admin" for `token_algorithm`):
 *
 * - `token_missing`: no token in the `Authorization: Bearer` header, the cookie or the query parameter;
 * - `token_invalid`: not a well-formed JWT (not three base64url parts, not JSON, too long);
 * - `token_algorithm`: its `alg` is not on the hub's allowlist (`none`, or HS384 when only HS256 is
 *   accepted, or an HMAC token sent to a hub that only has a public key);
 * - `token_signature`: the signature does not match the hub's key (wrong secret, tampered, unsigned);
 * - `token_expired`: `exp` is in the past (beyond the clock tolerance);
 * - `token_not_yet_valid`: `nbf` is in the future (beyond the clock tolerance);
 * - `token_claims`: a claim is missing or wrong: no `exp`, an unknown `role`, a bad `specialist_id` or
 *   `workpoint_id`, or `iss`/`aud` not the expected ones.
 */
export type TokenFailureReason =
  | "token_missing"
  | "token_invalid"
  | "token_algorithm"
  | "token_signature"
  | "token_expired"
  | "token_not_yet_valid"
  | "token_claims";

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
  token_missing: "No viewer token: send it as Authorization: Bearer <token>, as a cookie, or as the token query parameter.",
  token_invalid: "The viewer token is not a well-formed JWT.",
  token_algorithm: "The viewer token is signed with an algorithm this hub does not accept.",
  token_signature: "The viewer token's signature does not match the hub's key.",
  token_expired: "The viewer token has expired; reload the page to get a new one.",
  token_not_yet_valid: "The viewer token is not valid yet; check the clocks of the app and the hub.",
  token_claims: "The viewer token's claims are invalid.",
};

/** @internal */
export const tokenFailure = (reason: TokenFailureReason, detail?: string): AuthenticationError =>
  new AuthenticationError(reason, detail ? `${MESSAGES[reason]} ${detail}` : MESSAGES[reason], 401, {
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
    case "ERR_JOSE_NOT_SUPPORTED":
      return { reason: "token_algorithm" };
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return { reason: "token_signature" };
    case "ERR_JWT_CLAIM_VALIDATION_FAILED":
      if (claim === "nbf") return { reason: "token_not_yet_valid" };
      return { reason: "token_claims", detail: typeof claim === "string" ? `Check the "${claim}" claim.` : "" };
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID and anything unexpected.
      return { reason: "token_invalid" };
  }
}
