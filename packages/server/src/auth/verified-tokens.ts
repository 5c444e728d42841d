import { createHash } from "node:crypto";
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from "jose";
import { verifyJwt } from "./token-failure.js";

/** How many verified tokens one verifier remembers (oldest forgotten first). */
const CAPACITY = 1024;
/** How long a verification is reused at most, whatever the token's `exp`. */
const REUSE_MS = 5 * 60_000;

/** A token verified once: its claims, frozen, and when its verification was made. */
interface Verified {
  readonly payload: JWTPayload;
  readonly exp: number;
  readonly at: number;
}

/**
 * A JWT verifier that remembers the tokens it verified. jose verifies through WebCrypto, about a
 * hundred microseconds of CPU an HS256 token on Node 20: a server that publishes over HTTP presents
 * the same publisher token with every event, and a page reconnecting presents its token again. The
 * same token, byte for byte (looked up by its SHA-256), is not verified twice; its `exp` is checked
 * at every use exactly as jose checks it (with the clock tolerance). Tokens that fail are never
 * remembered: each is verified in full, and refused with its reason.
 *
 * @param key - the key (or key lookup) jose verifies with
 * @param options - jose's verification options; `clockTolerance` in seconds
 * @internal
 */
export function jwtVerifier(key: JWTVerifyGetKey, options: JWTVerifyOptions & { readonly clockTolerance: number }): (token: string) => Promise<JWTPayload> {
  const known = new Map<string, Verified>();
  return async (token) => {
    const digest = createHash("sha256").update(token).digest("base64");
    const now = Date.now();
    const hit = known.get(digest);
    // jose's own test: expired when exp <= now - tolerance, in whole seconds.
    if (hit && now - hit.at < REUSE_MS && hit.exp > Math.floor(now / 1000) - options.clockTolerance) return hit.payload;
    if (hit) known.delete(digest); // verified again below: an expired token gets jose's refusal
    const payload = Object.freeze(await verifyJwt(token, key, options));
    if (known.size >= CAPACITY) known.delete(known.keys().next().value as string);
    known.set(digest, { payload, exp: payload.exp as number, at: now });
    return payload;
  };
}
