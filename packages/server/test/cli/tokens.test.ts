import { type SseReader, openSse } from "@realtime-bookings/test-utils";
import { SignJWT } from "jose";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, type ServeProcess, bearer, killChildren, startServe, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(() => {
  for (const reader of readers.splice(0)) reader.close();
});
afterAll(killChildren);

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = (): number => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({ role: "specialist", specialist_id: 3, exp: now() + 300, ...extra });
const sign = (payload: Record<string, unknown>, alg: string, key: Uint8Array | Parameters<SignJWT["sign"]>[0]) =>
  new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
const secretBytes = (secret: string) => new TextEncoder().encode(secret);

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsaPem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const ecPem = ec.publicKey.export({ type: "spki", format: "pem" }).toString();

/** What a refused request got: status, content type, body; and that no stream started. */
async function refusal(url: string, headers: Record<string, string> = {}) {
  const reader = await openSse(url, headers);
  readers.push(reader);
  await reader.ended;
  return {
    status: reader.status,
    type: reader.headers["content-type"],
    body: JSON.parse(reader.raw()) as { error: string; message: string },
    events: reader.events.length,
  };
}
const refusedWith = (error: string) => ({ status: 401, type: "application/json; charset=utf-8", body: { error, message: expect.any(String) }, events: 0 });

describe("realtime-bookings serve: viewer tokens (HS256)", () => {
  let hub: ServeProcess;
  beforeAll(async () => {
    // --allow-query-token: the first test checks every place a token may come from, ?token= included.
    hub = await startServe(["--secret", SECRET, "--allow-query-token"]);
  });

  it("accepts a valid token from the header, the cookie or the query, and a token just past exp within the 5 s tolerance", async () => {
    const token = await sign(claims(), "HS256", secretBytes(SECRET));
    const late = await sign(claims({ exp: now() - 2 }), "HS256", secretBytes(SECRET));
    const statuses = await Promise.all(
      [
        openSse(`${hub.url}/events`, bearer(token)),
        openSse(`${hub.url}/events`, { Cookie: `other=1; rb_token=${token}` }),
        openSse(`${hub.url}/events?token=${token}`),
        openSse(`${hub.url}/events`, bearer(late)),
      ].map(async (opening) => {
        const reader = await opening;
        readers.push(reader);
        return reader.status;
      }),
    );
    expect(statuses).toEqual([200, 200, 200, 200]);
  });

  it.each<[string, () => Promise<Record<string, string>>, string]>([
    ["no token at all", async () => ({}), "token_missing"],
    ["a token that is not a JWT", async () => bearer("not-a-jwt"), "token_invalid"],
    ["three parts of garbage", async () => bearer("a.b.c"), "token_invalid"],
    ["a token longer than 8 KiB", async () => bearer(`${"a".repeat(9000)}.b.c`), "token_invalid"],
    ["an expired token", async () => bearer(await sign(claims({ exp: now() - 60 }), "HS256", secretBytes(SECRET))), "token_expired"],
    ["an unsigned token (empty signature)", async () => bearer(`${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims())}.`), "token_signature"],
    ['alg "none"', async () => bearer(`${b64({ alg: "none", typ: "JWT" })}.${b64(claims({ role: "admin" }))}.`), "token_algorithm"],
    ["HS384 with the right secret (not on the allowlist)", async () => bearer(await sign(claims(), "HS384", secretBytes(SECRET))), "token_algorithm"],
    ["an RS256 token to an HS256 hub", async () => bearer(await sign(claims(), "RS256", rsa.privateKey)), "token_algorithm"],
    ["a token signed with another secret", async () => bearer(await sign(claims(), "HS256", secretBytes(`${SECRET}-other`))), "token_signature"],
    [
      "a token whose payload was changed after signing",
      async () => {
        const [header, , signature] = (await sign(claims(), "HS256", secretBytes(SECRET))).split(".");
        return bearer(`${header}.${b64(claims({ role: "admin" }))}.${signature}`);
      },
      "token_signature",
    ],
    ["a token without exp", async () => bearer(await new SignJWT({ role: "admin" }).setProtectedHeader({ alg: "HS256" }).sign(secretBytes(SECRET))), "token_claims"],
    ["a token with an unknown role", async () => bearer(await sign(claims({ role: "owner" }), "HS256", secretBytes(SECRET))), "token_claims"],
    ["a specialist token without specialist_id", async () => bearer(await sign({ role: "specialist", workpoint_id: 1, exp: now() + 60 }, "HS256", secretBytes(SECRET))), "token_claims"],
    ["a token with a hostile id", async () => bearer(await sign(claims({ specialist_id: "3 OR 1=1" }), "HS256", secretBytes(SECRET))), "token_claims"],
    ["a token not valid yet (nbf)", async () => bearer(await sign(claims({ nbf: now() + 120 }), "HS256", secretBytes(SECRET))), "token_not_yet_valid"],
    [
      "a bad header token beside a good cookie (the header decides)",
      async () => ({ ...bearer("a.b.c"), Cookie: `rb_token=${await viewerToken({ role: "admin" })}` }),
      "token_invalid",
    ],
  ])("refuses %s with 401 and streams nothing", async (_, headers, reason) => {
    expect(await refusal(`${hub.url}/events`, await headers())).toEqual(refusedWith(reason));
    const version = await fetch(`${hub.url}/version`, { headers: await headers() });
    expect([version.status, ((await version.json()) as { error: string }).error]).toEqual([401, reason]);
  });

  it("counts refusals by reason in /metrics", async () => {
    const metrics = (await (await fetch(`${hub.url}/metrics?format=json`)).json()) as { tokenFailures: Record<string, number> };
    // Each refusal above was made twice: on /events and on /version.
    expect(metrics.tokenFailures).toEqual({
      token_missing: 2,
      token_invalid: 8,
      token_algorithm: 6,
      token_signature: 6,
      token_expired: 2,
      token_not_yet_valid: 2,
      token_claims: 8,
    });
  });

  it("ends a stream when the hub stops accepting its token (exp + the 5 s tolerance), so access never outlives the token", async () => {
    const token = await viewerToken({ role: "admin" }, { ttlSec: 1 });
    const reader = await openSse(`${hub.url}/events`, bearer(token));
    readers.push(reader);
    expect(reader.status).toBe(200);
    const opened = Date.now();
    await Promise.race([reader.ended, new Promise((_, reject) => setTimeout(() => reject(new Error("stream still open 10 s after exp")), 10_000))]);
    expect(Date.now() - opened).toBeGreaterThan(1_000);
    // At that moment the same token is refused: the client must fetch a fresh one, not loop.
    const again = await fetch(`${hub.url}/events`, { headers: bearer(token) });
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([401, "token_expired"]);
  });
});

describe("realtime-bookings serve: public keys and token places", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rb-keys-"));
    writeFileSync(join(dir, "rsa.pem"), rsaPem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("verifies RS256 with --public-key and refuses an HS256 token signed with the public key (algorithm confusion)", async () => {
    const hub = await startServe(["--public-key", join(dir, "rsa.pem")]);
    expect(hub.stdout()).toContain("tokens: RS256");
    const good = await openSse(`${hub.url}/events`, bearer(await sign(claims(), "RS256", rsa.privateKey)));
    readers.push(good);
    expect(good.status).toBe(200);
    const confused = await sign(claims({ role: "admin" }), "HS256", secretBytes(rsaPem));
    expect(await refusal(`${hub.url}/events`, bearer(confused))).toEqual(refusedWith("token_algorithm"));
    const ecToken = await sign(claims(), "ES256", ec.privateKey);
    expect(await refusal(`${hub.url}/events`, bearer(ecToken))).toEqual(refusedWith("token_algorithm"));
    const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(await refusal(`${hub.url}/events`, bearer(await sign(claims(), "RS256", otherRsa.privateKey)))).toEqual(refusedWith("token_signature"));
  });

  it("verifies ES256 with a PEM in REALTIME_BOOKINGS_PUBLIC_KEY, next to an HS256 secret", async () => {
    const hub = await startServe([], { env: { REALTIME_BOOKINGS_PUBLIC_KEY: ecPem, REALTIME_BOOKINGS_SECRET: SECRET } });
    expect(hub.stdout()).toContain("tokens: HS256,ES256");
    const statuses = await Promise.all(
      [await sign(claims(), "ES256", ec.privateKey), await viewerToken(claims())].map(async (token) => {
        const reader = await openSse(`${hub.url}/events`, bearer(token));
        readers.push(reader);
        return reader.status;
      }),
    );
    expect(statuses).toEqual([200, 200]);
    expect(await refusal(`${hub.url}/events`, bearer(await sign(claims(), "RS256", rsa.privateKey)))).toEqual(refusedWith("token_algorithm"));
  });

  it("--no-query-token refuses ?token=, --token-cookie renames the cookie, --issuer and --audience are checked", async () => {
    const hub = await startServe(["--secret", SECRET, "--no-query-token", "--token-cookie", "hub_jwt", "--issuer", "https://app.example", "--audience", "bookings-hub"]);
    const good = await sign(claims({ iss: "https://app.example", aud: "bookings-hub" }), "HS256", secretBytes(SECRET));
    expect(await refusal(`${hub.url}/events?token=${good}`)).toEqual(refusedWith("token_missing"));
    expect(await refusal(`${hub.url}/events`, { Cookie: `rb_token=${good}` })).toEqual(refusedWith("token_missing"));
    const byCookie = await openSse(`${hub.url}/events`, { Cookie: `hub_jwt=${good}` });
    readers.push(byCookie);
    expect(byCookie.status).toBe(200);
    const foreign = await sign(claims({ iss: "https://evil.example", aud: "bookings-hub" }), "HS256", secretBytes(SECRET));
    expect(await refusal(`${hub.url}/events`, bearer(foreign))).toEqual(refusedWith("token_claims"));
    const otherAudience = await sign(claims({ iss: "https://app.example", aud: "other" }), "HS256", secretBytes(SECRET));
    expect(await refusal(`${hub.url}/events`, bearer(otherAudience))).toEqual(refusedWith("token_claims"));
  });
});
