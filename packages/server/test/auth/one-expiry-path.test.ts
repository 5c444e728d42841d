import { openSse } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { createBookingHub, createStandaloneServer, jwtAuthenticator, memoryBroker } from "../../src/index.js";
import { SECRET, signClaims } from "./support/jwt-hub.js";

const open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

describe("one token-expiry path: authenticate's expiresAt, into the hub", () => {
  it("the standalone server wired with authenticate alone ends a stream when its token expires", async () => {
    const auth = jwtAuthenticator({ secret: SECRET, clockToleranceSec: 0 });
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: auth.authenticate, logger: { warn() {}, error() {} } });
    const standalone = createStandaloneServer({ hub, tokenFailures: auth.failures });
    const { url } = await standalone.listen(0, "127.0.0.1");
    open.push(standalone);
    const token = await signClaims({ role: "admin", sub: "u1", exp: Math.floor(Date.now() / 1000) + 2 });
    const reader = await openSse(`${url}/events`, { Authorization: `Bearer ${token}` });
    open.push(reader);
    expect(reader.status).toBe(200);
    await Promise.race([reader.ended, new Promise((_, reject) => setTimeout(() => reject(new Error("stream still open 6 s after exp")), 6_000))]);
    // The stream ended by the hub's own timer: the token's expiry came only through authenticate.
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.stats().connections.admin).toBe(0);
  });

  it("has no side channels left: no tokenOf, no viewerKey, no streamExpiry", () => {
    const auth = jwtAuthenticator({ secret: SECRET });
    expect(Object.keys(auth).sort()).toEqual(["algorithms", "authenticate", "failures", "verify"]);
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: auth.authenticate });
    open.push(hub);
    // @ts-expect-error the standalone server takes no expiry of its own
    createStandaloneServer({ hub, streamExpiry: () => 0 });
  });
});

describe("a stream ends when the hub stops accepting its token", () => {
  it("a token just past exp (within the clock tolerance) gets a stream that lasts until the tolerance ends, then a reconnection is refused", async () => {
    const auth = jwtAuthenticator({ secret: SECRET, clockToleranceSec: 2 });
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: auth.authenticate, logger: { warn() {}, error() {} } });
    const standalone = createStandaloneServer({ hub });
    const { url } = await standalone.listen(0, "127.0.0.1");
    open.push(standalone);
    const token = await signClaims({ role: "admin", sub: "u1", exp: Math.floor(Date.now() / 1000) - 1 });
    const reader = await openSse(`${url}/events`, { Authorization: `Bearer ${token}` });
    open.push(reader);
    expect(reader.status).toBe(200);
    // Not cut at once (which would make the client reconnect with the same token in a loop).
    const early = await Promise.race([reader.ended.then(() => "ended"), new Promise((r) => setTimeout(() => r("open"), 300))]);
    expect(early).toBe("open");
    await Promise.race([reader.ended, new Promise((_, reject) => setTimeout(() => reject(new Error("stream still open 5 s later")), 5_000))]);
    const again = await fetch(`${url}/events`, { headers: { Authorization: `Bearer ${token}` } });
    expect([again.status, ((await again.json()) as { error: string }).error]).toEqual([401, "token_expired"]);
  });
});
