import { openSse, type SseReader } from "@realtime-bookings/test-utils";
import { SignJWT } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { signViewerToken } from "../../src/index.js";
import { SECRET, startJwtHub } from "./support/jwt-hub.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function startHub(): Promise<{ url: string }> {
  const started = await startJwtHub();
  open.push(started);
  return started;
}

/** An admin token as an app without user ids would sign it: no `sub`, maybe a `jti`. */
const adminToken = (extra: Record<string, unknown>, expIn: number) =>
  new SignJWT({ role: "admin", exp: Math.floor(Date.now() / 1000) + expIn, ...extra })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(new TextEncoder().encode(SECRET));

const status = async (url: string, token: string): Promise<number> => {
  const reader: SseReader = await openSse(url, { Authorization: `Bearer ${token}` });
  open.push(reader);
  return reader.status;
};

describe("per-viewer caps count by who holds the token", () => {
  it("two admins with sub-less tokens: one at the cap does not lock out the other", async () => {
    const { url } = await startHub();
    const first = await adminToken({}, 300);
    const second = await adminToken({}, 301);
    expect([await status(url, first), await status(url, first), await status(url, first)]).toEqual([200, 200, 429]);
    expect(await status(url, second)).toBe(200);
  });

  it("counts by jti when there is no sub, and by sub before jti", async () => {
    const { url } = await startHub();
    const a = await adminToken({ jti: "a" }, 300);
    const aAgain = await adminToken({ jti: "a" }, 400);
    const b = await adminToken({ jti: "b" }, 300);
    expect([await status(url, a), await status(url, aAgain), await status(url, a), await status(url, b)]).toEqual([200, 200, 429, 200]);
    const user = await adminToken({ sub: "user-1", jti: "c" }, 300);
    const sameUser = await adminToken({ sub: "user-1", jti: "d" }, 300);
    expect([await status(url, user), await status(url, sameUser), await status(url, user)]).toEqual([200, 200, 429]);
  });

  it("signViewerToken puts a fresh jti in every token without a sub, so two sub-less tokens never share a cap", async () => {
    const { url } = await startHub();
    const tokens = await Promise.all([1, 2].map(() => signViewerToken({ role: "admin" }, { secret: SECRET })));
    const jtis = tokens.map((t) => (JSON.parse(Buffer.from(t.split(".")[1] ?? "", "base64url").toString()) as { jti?: string }).jti);
    expect(jtis.every((jti) => typeof jti === "string" && jti.length > 0) && jtis[0] !== jtis[1]).toBe(true);
    const [one, two] = tokens as [string, string];
    expect([await status(url, one), await status(url, one), await status(url, one), await status(url, two)]).toEqual([200, 200, 429, 200]);
  });
});
