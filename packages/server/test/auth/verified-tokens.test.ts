import { afterEach, describe, expect, it, vi } from "vitest";
import { jwtAuthenticator, publisherAuthorizer, signPublisherToken } from "../../src/index.js";
import { SECRET, signClaims } from "./support/jwt-hub.js";

const request = (token: string) => ({ method: "POST", url: "/publish", header: (name: string) => (name === "authorization" ? `Bearer ${token}` : undefined) }) as never;

afterEach(() => vi.useRealTimers());

describe("a token verified once is remembered, never past what jose would accept", () => {
  it("a remembered publisher token still expires: refused with token_expired once exp plus the tolerance has passed", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z"), toFake: ["Date"] });
    const authorize = publisherAuthorizer({ secret: SECRET, clockToleranceSec: 5 });
    const token = await signPublisherToken({ secret: SECRET, expiresInSec: 60 });
    expect(await authorize(request(token))).toBe(true);
    vi.setSystemTime(new Date("2026-12-01T10:01:04Z")); // exp + 4 s: inside the tolerance
    expect(await authorize(request(token))).toBe(true);
    vi.setSystemTime(new Date("2026-12-01T10:01:05Z")); // exp + 5 s: jose's own limit
    await expect(authorize(request(token))).rejects.toMatchObject({ reason: "token_expired", status: 401 });
  });

  it("a token that differs in one byte is verified on its own: a forged signature is refused even after the real token was accepted", async () => {
    const authorize = publisherAuthorizer({ secret: SECRET });
    const token = await signPublisherToken({ secret: SECRET });
    await authorize(request(token));
    const [head, body, signature] = token.split(".") as [string, string, string];
    const forged = `${head}.${body}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "BA" : "AA"}`;
    await expect(authorize(request(forged))).rejects.toMatchObject({ reason: "token_signature" });
    // A different payload under the real signature is refused too.
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), workpoints: [1] })).toString("base64url");
    await expect(authorize(request(`${head}.${other}.${signature}`))).rejects.toMatchObject({ reason: "token_signature" });
  });

  it("a viewer token is remembered the same way: a reconnect with it after its exp is refused", async () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z"), toFake: ["Date"] });
    const authenticator = jwtAuthenticator({ secret: SECRET, clockToleranceSec: 0 });
    const token = await signClaims({ role: "admin", sub: "u1", exp: Math.floor(Date.now() / 1000) + 30 });
    expect((await authenticator.verify(token)).viewer).toEqual({ role: "admin" });
    vi.setSystemTime(new Date("2026-12-01T10:00:29Z"));
    expect((await authenticator.verify(token)).viewer).toEqual({ role: "admin" });
    vi.setSystemTime(new Date("2026-12-01T10:00:30Z"));
    await expect(authenticator.verify(token)).rejects.toMatchObject({ reason: "token_expired" });
  });
});
