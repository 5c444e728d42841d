import { type Viewer, safeParseViewer } from "@realtime-bookings/protocol";
import { SignJWT } from "jose";
import { randomUUID } from "node:crypto";
import { HubError } from "../errors.js";
import { MIN_SECRET_BYTES } from "./keys.js";

/** Options of {@link signViewerToken}. */
export interface SignViewerTokenOptions {
  /** The shared secret the hub verifies with (at least 32 bytes). */
  readonly secret: string | Uint8Array;
  /**
   * How long the token is valid, in seconds. Keep it short when it travels in a URL.
   * @defaultValue 900 (15 minutes)
   */
  readonly expiresInSec?: number | undefined;
  /** The `sub` claim: the signed-in user. The hub's per-viewer connection cap counts by it. */
  readonly subject?: string | undefined;
  /**
   * The `jti` claim: this token's id. When the token has no `sub`, the hub's per-viewer cap counts by it.
   * @defaultValue a fresh random UUID when there is no `subject`; none beside a `subject`
   */
  readonly jwtId?: string | undefined;
  /** The `iss` claim, when the hub checks one. */
  readonly issuer?: string | undefined;
  /** The `aud` claim, when the hub checks one. */
  readonly audience?: string | undefined;
}

/**
 * Signs a viewer token (HS256) that {@link jwtAuthenticator} accepts: what a Node app, a test or the
 * `realtime-bookings token` command hands to a browser. A PHP app does the same in a few lines (see
 * `docs/protocol.md`).
 *
 * Only the claims of the viewer's role are written: a specialist's token carries `specialist_id`,
 * never a `workpoint_id` that could be mistaken for a wider scope.
 *
 * @param viewer - who will watch: `{ role: "specialist", specialist_id: 3 }`, …
 * @param options - the secret, lifetime and optional `sub`, `jti` (a fresh UUID when there is no `sub`), `iss`, `aud`
 * @returns the compact JWT
 * @throws {@link HubError} `invalid_options` for an invalid viewer, a short secret or a bad lifetime
 * @example
 * ```ts
 * const token = await signViewerToken({ role: "supervisor", workpoint_id: 1 }, { secret, subject: "user-17" });
 * ```
 */
export async function signViewerToken(viewer: Viewer, options: SignViewerTokenOptions): Promise<string> {
  const parsed = safeParseViewer(viewer);
  if (!parsed.ok) throw new HubError("invalid_options", `invalid viewer: ${parsed.error.message}`, { cause: parsed.error });
  const secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
  if (secret.byteLength < MIN_SECRET_BYTES) throw new HubError("invalid_options", `the secret must be at least ${MIN_SECRET_BYTES} bytes`);
  const ttl = options.expiresInSec ?? 900;
  if (!Number.isSafeInteger(ttl) || ttl < 1) throw new HubError("invalid_options", `expiresInSec must be a positive integer, got ${ttl}`);
  const v = parsed.value;
  // The ids keep the type the caller gave (42 or "42"); both name the same scope.
  const claims =
    v.role === "admin"
      ? { role: v.role }
      : v.role === "supervisor"
        ? { role: v.role, workpoint_id: (viewer as { workpoint_id: string | number }).workpoint_id }
        : { role: v.role, specialist_id: (viewer as { specialist_id: string | number }).specialist_id };
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + ttl);
  // A token without sub still needs an identity of its own, or it would share a cap with its scope.
  const jwtId = options.jwtId ?? (options.subject === undefined ? randomUUID() : undefined);
  if (jwtId !== undefined) jwt.setJti(jwtId);
  if (options.subject !== undefined) jwt.setSubject(options.subject);
  if (options.issuer !== undefined) jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(secret);
}
