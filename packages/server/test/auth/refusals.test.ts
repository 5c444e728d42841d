import { AuthenticationError, type AuthenticationReason } from "../../src/index.js";
import { afterEach, describe, expect, it } from "vitest";
import { type JwtHub, signClaims, startJwtHub } from "./support/jwt-hub.js";

const open: JwtHub[] = [];
afterEach(async () => {
  for (const hub of open.splice(0)) await hub.close();
});
// These tests are about where jwtAuthenticator reads a token, ?token= included: the hub lets it through.
const start = async (): Promise<JwtHub> => {
  const hub = await startJwtHub({}, 2, true);
  open.push(hub);
  return hub;
};

/** What a refused stream request got: status and the body's reason. */
async function refusal(url: string, headers: Record<string, string>): Promise<{ status: number; error: string; challenge: string | null }> {
  const response = await fetch(url, { headers });
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error, challenge: response.headers.get("www-authenticate") };
}

describe("jwtAuthenticator: malformed Authorization headers and precise reasons", () => {
  it.each([["Bearer a b"], ["Bearer"], ["Bearer   "], ["Basic dXNlcjpwYXNz"], ["Token abc"], ["bearer\ta b"]])(
    "refuses %j with 401 even when a valid cookie and ?token= come with it",
    async (authorization) => {
      const { url } = await start();
      const good = await signClaims({ role: "admin", sub: "u1" });
      const answer = await refusal(`${url}?token=${good}`, { Authorization: authorization, Cookie: `rb_token=${good}` });
      expect(answer).toEqual({ status: 401, error: "token_invalid", challenge: 'Bearer realm="realtime-bookings", error="invalid_token"' });
    },
  );

  it("still accepts a well-formed header, and the cookie or ?token= when there is no header", async () => {
    const { url } = await start();
    const good = await signClaims({ role: "admin", sub: "u1" });
    const statuses: number[] = [];
    for (const [query, headers] of [["", { Authorization: `Bearer ${good}` }], ["", { Cookie: `rb_token=${good}` }], [`?token=${good}`, {}]] as const) {
      const controller = new AbortController();
      const response = await fetch(`${url}${query}`, { headers, signal: controller.signal });
      statuses.push(response.status);
      controller.abort();
    }
    expect(statuses).toEqual([200, 200, 200]);
  });

  it("names a non-numeric nbf a claims problem and an unknown crit extension an invalid token, not an algorithm", async () => {
    const { url } = await start();
    const badNbf = await signClaims({ role: "admin", nbf: "tomorrow" });
    const futureNbf = await signClaims({ role: "admin", nbf: Math.floor(Date.now() / 1000) + 3600 });
    // jose refuses to sign an unknown crit, so build that token by hand (the signature does not matter:
    // the header is checked first).
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const crit = `${b64({ alg: "HS256", typ: "JWT", crit: ["x-unknown"], "x-unknown": 1 })}.${b64({ role: "admin", exp: Math.floor(Date.now() / 1000) + 300 })}.c2ln`;
    const reasons = [];
    for (const token of [badNbf, futureNbf, crit]) reasons.push((await refusal(url, { Authorization: `Bearer ${token}` })).error);
    expect(reasons).toEqual(["token_claims", "token_not_yet_valid", "token_invalid"]);
  });

  it("types AuthenticationError.reason as the documented codes", () => {
    const reason: AuthenticationReason = "forbidden";
    const error = new AuthenticationError(reason, "Not yours.", 403);
    expect([error.reason, error.status]).toEqual(["forbidden", 403]);
    // @ts-expect-error an undocumented reason does not compile
    expect(new AuthenticationError("whatever", "x").reason).toBe("whatever");
  });
});
