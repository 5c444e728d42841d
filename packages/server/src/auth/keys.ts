import { type JsonWebKey, KeyObject, createPublicKey, webcrypto } from "node:crypto";
import { HubError } from "../errors.js";

/**
 * The JWS algorithms a hub can accept. `none` is not one of them and never will be.
 * HMAC (`HS…`) tokens are checked with the shared secret, every other one with the public key.
 */
export type JwtAlgorithm =
  | "HS256"
  | "HS384"
  | "HS512"
  | "RS256"
  | "RS384"
  | "RS512"
  | "PS256"
  | "PS384"
  | "PS512"
  | "ES256"
  | "ES384"
  | "ES512"
  | "EdDSA";

const HMAC = new Set<JwtAlgorithm>(["HS256", "HS384", "HS512"]);
const ALL = new Set<string>(["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);

/** The smallest shared secret accepted: 32 bytes, the output size of SHA-256 (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/** Which asymmetric algorithms a public key can verify. @internal */
function algorithmsForKey(key: KeyObject): { accepted: ReadonlySet<JwtAlgorithm>; preferred: JwtAlgorithm } | undefined {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  switch (key.asymmetricKeyType) {
    case "rsa":
      return { accepted: new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]), preferred: "RS256" };
    case "rsa-pss":
      return { accepted: new Set(["PS256", "PS384", "PS512"]), preferred: "PS256" };
    case "ec": {
      const alg = curve === "prime256v1" ? "ES256" : curve === "secp384r1" ? "ES384" : curve === "secp521r1" ? "ES512" : undefined;
      return alg ? { accepted: new Set([alg]), preferred: alg } : undefined;
    }
    case "ed25519":
      return { accepted: new Set(["EdDSA"]), preferred: "EdDSA" };
    default:
      return undefined;
  }
}

function toPublicKey(input: string | KeyObject | JsonWebKey): KeyObject {
  try {
    if (typeof input === "string") return createPublicKey(input);
    if (input instanceof KeyObject) {
      if (input.type === "secret") throw new HubError("invalid_options", "publicKey must be a public key; pass a shared secret as secret");
      return input.type === "private" ? createPublicKey(input) : input;
    }
    return createPublicKey({ key: input as JsonWebKey, format: "jwk" });
  } catch (error) {
    if (error instanceof HubError) throw error;
    throw new HubError("invalid_options", "publicKey is not a public key: pass a PEM (-----BEGIN PUBLIC KEY-----), a JWK or a KeyObject", { cause: error });
  }
}

/** The keys and algorithm allowlist of a verifier. @internal */
export interface VerificationKeys {
  readonly algorithms: readonly JwtAlgorithm[];
  /**
   * The key that verifies a token whose header names `alg` (already checked against the allowlist):
   * the public key, or the secret as an HMAC `CryptoKey` for `alg`'s hash.
   */
  keyFor(alg: string): KeyObject | Promise<webcrypto.CryptoKey>;
}

/**
 * Checks the key options once, at start-up, so a misconfigured hub fails before it serves anyone:
 * a secret shorter than {@link MIN_SECRET_BYTES}, a PEM that is not a public key, or an algorithm the
 * key cannot verify is an `invalid_options` error that says how to fix it.
 *
 * @internal
 */
export function verificationKeys(options: {
  readonly secret?: string | Uint8Array | undefined;
  readonly publicKey?: string | KeyObject | JsonWebKey | undefined;
  readonly algorithms?: readonly JwtAlgorithm[] | undefined;
}): VerificationKeys {
  let secret: Uint8Array | undefined;
  if (options.secret !== undefined) {
    secret = typeof options.secret === "string" ? new TextEncoder().encode(options.secret) : options.secret;
    if (secret.byteLength < MIN_SECRET_BYTES) {
      throw new HubError(
        "invalid_options",
        `the secret is ${secret.byteLength} bytes; HS256 needs at least ${MIN_SECRET_BYTES} (generate one with: openssl rand -base64 48)`,
      );
    }
  }
  const publicKey = options.publicKey === undefined ? undefined : toPublicKey(options.publicKey);
  const publicAlgs = publicKey ? algorithmsForKey(publicKey) : undefined;
  if (publicKey && !publicAlgs) {
    throw new HubError("invalid_options", `publicKey is a ${publicKey.asymmetricKeyType ?? "unknown"} key; use an RSA, EC (P-256/384/521) or Ed25519 key`);
  }
  if (!secret && !publicKey) throw new HubError("invalid_options", "give a secret (HS256) or a publicKey (RS256/ES256) to verify viewer tokens");

  const defaults: JwtAlgorithm[] = [];
  if (secret) defaults.push("HS256");
  if (publicAlgs) defaults.push(publicAlgs.preferred);
  const algorithms = options.algorithms ? [...new Set(options.algorithms)] : defaults;
  if (algorithms.length === 0) throw new HubError("invalid_options", "algorithms must name at least one algorithm");
  for (const alg of algorithms) {
    if (!ALL.has(alg)) throw new HubError("invalid_options", `algorithm ${String(alg)} is not supported; use one of ${[...ALL].join(", ")}`);
    if (HMAC.has(alg) && !secret) throw new HubError("invalid_options", `algorithm ${alg} needs a secret`);
    if (!HMAC.has(alg) && !publicAlgs?.accepted.has(alg)) {
      throw new HubError("invalid_options", `algorithm ${alg} cannot be verified with the ${publicKey?.asymmetricKeyType ?? "missing"} public key`);
    }
  }
  const hmac = secret && hmacKeys(secret);
  return {
    algorithms,
    keyFor: (alg) => (alg.startsWith("HS") && hmac ? hmac(alg) : (publicKey as KeyObject)),
  };
}

/**
 * The secret imported once per HMAC algorithm. Given the raw bytes, jose would import them into a
 * new `CryptoKey` for every token it verifies: about 10 KB of garbage per stream opened.
 */
function hmacKeys(secret: Uint8Array): (alg: string) => Promise<webcrypto.CryptoKey> {
  const imported = new Map<string, Promise<webcrypto.CryptoKey>>();
  return (alg) => {
    let key = imported.get(alg);
    if (!key) {
      key = webcrypto.subtle.importKey("raw", secret, { name: "HMAC", hash: `SHA-${alg.slice(2)}` }, false, ["verify"]);
      imported.set(alg, key);
    }
    return key;
  };
}
