import { PUBLISH_SCRIPT, redisKeys, safeParseViewer, versionKeyFor } from "@realtime-bookings/protocol";
import { jwtAuthenticator } from "@realtime-bookings/server";
import { type RedisServer, freePort, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Child } from "../../examples/php/test/support.js";
import { CLI, PACKAGE, hasPhpToolchain, php, startHub } from "./support.js";

/** The package checked against the TypeScript side it must match, and as Composer and a user see it. */
const available = hasPhpToolchain();

describe.skipIf(!available)("php/: the Composer package", () => {
  it("passes `composer validate --strict`", () => {
    const run = spawnSync("composer", ["validate", "--strict", "--no-interaction"], { cwd: PACKAGE, encoding: "utf8", timeout: 60_000, env: { ...process.env, COMPOSER_DISABLE_NETWORK: "1" } });
    expect({ status: run.status, output: `${run.stdout}${run.stderr}`.trim() }).toEqual({ status: 0, output: "./composer.json is valid" });
  });

  it("publishes with the protocol's PUBLISH_SCRIPT, byte for byte (one SHA1 for every publisher)", () => {
    const run = php("echo RealtimeBookings\\PublishScript::SOURCE;");
    expect(run.stdout).toBe(PUBLISH_SCRIPT);
  });

  it("names the version key of each viewer as the protocol does", () => {
    const viewers = [{ role: "admin" }, { role: "supervisor", workpoint_id: 12 }, { role: "specialist", specialist_id: "sp-3" }, { role: "specialist", specialist_id: 3, workpoint_id: 1 }];
    for (const prefix of ["bookings", "{bookings}"]) {
      const run = php(`$none = new class implements RealtimeBookings\\Redis\\RedisConnection { public function evalScript(string $s, string $h, array $k, array $a): mixed { return null; } public function publish(string $c, string $m): int { return 0; } public function get(string $k): ?string { return null; } }; $v = new RealtimeBookings\\Versions($none, new RealtimeBookings\\RedisKeys('${prefix}')); foreach (json_decode(stream_get_contents(STDIN), true) as $viewer) echo $v->keyFor($viewer), "\\n";`, JSON.stringify(viewers));
      const keys = redisKeys({ prefix });
      const expected = viewers.map((viewer) => {
        const parsed = safeParseViewer(viewer);
        if (!parsed.ok) throw parsed.error;
        return versionKeyFor(keys, parsed.value);
      });
      expect({ stderr: run.stderr, keys: run.stdout.trim().split("\n") }).toEqual({ stderr: "", keys: expected });
    }
  });

  it("mints RS256 and EdDSA tokens that the hub's verifier accepts with the public key, and refuses tampered", async () => {
    const run = php(`
      $rsa = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
      $ed = sodium_crypto_sign_keypair();
      echo json_encode([
        'rsPublic' => openssl_pkey_get_details($rsa)['key'],
        'rsToken' => RealtimeBookings\\ViewerToken::rs256($rsa, 'app', 'hub')->mint(['role' => 'supervisor', 'workpoint_id' => '7'], 'user-7', 60),
        'edPublic' => RealtimeBookings\\ViewerToken::ed25519PublicKeyPem(sodium_crypto_sign_publickey($ed)),
        'edToken' => RealtimeBookings\\ViewerToken::eddsa(sodium_crypto_sign_secretkey($ed))->mint(['role' => 'specialist', 'specialist_id' => 3], 99, 60),
      ]);`);
    expect(run.stderr).toBe("");
    const minted = JSON.parse(run.stdout) as { rsPublic: string; rsToken: string; edPublic: string; edToken: string };

    const rs = jwtAuthenticator({ publicKey: minted.rsPublic, issuer: "app", audience: "hub" });
    const rsVerified = await rs.verify(minted.rsToken);
    expect([rs.algorithms, rsVerified.viewer, rsVerified.subject, typeof rsVerified.claims.jti]).toEqual([["RS256"], { role: "supervisor", workpoint_id: "7" }, "user-7", "string"]);
    const ed = jwtAuthenticator({ publicKey: minted.edPublic });
    const edVerified = await ed.verify(minted.edToken);
    expect([ed.algorithms, edVerified.viewer, edVerified.subject]).toEqual([["EdDSA"], { role: "specialist", specialist_id: "3" }, "99"]);

    const [header, payload, signature] = minted.edToken.split(".");
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), role: "admin" })).toString("base64url");
    await expect(ed.verify(`${header}.${widened}.${signature}`)).rejects.toMatchObject({ reason: "token_signature" });
    await expect(rs.verify(minted.edToken)).rejects.toMatchObject({ reason: "token_algorithm" });
  });
});

describe.skipIf(!available || !hasRedisServer())("php/bin/test_booking_push, the original system's test script", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const push = (...args: string[]) => spawnSync("php", ["bin/test_booking_push", ...args], { cwd: PACKAGE, encoding: "utf8", timeout: 20_000, env: { ...process.env, REDIS_URL: redis.url } });

  it.each(["phpredis", "predis"])("publishes through the script with %s and prints the history id", async (client) => {
    const before = Number(await redis.cli("GET", "bookings:version:specialist:31"));
    const run = push("--client", client, "--type", "update", "--id", "77", "--specialist", "31", "--workpoint", "2", "--previous-specialist", "4", "--origin", "cli-1");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const id = run.stdout.trim();
    expect(id).toMatch(/^\d+-\d+$/);
    const entry = await redis.cli("XRANGE", "bookings:history", id, id);
    expect(entry).toContain('"type":"update","data":{"id":77,"specialist_id":31,"workpoint_id":2,"client":"Test booking"');
    expect(entry).toContain('"previous":{"specialist_id":4},"origin":"cli-1"}');
    expect(Number(await redis.cli("GET", "bookings:version:specialist:31"))).toBe(before + 1);
  });

  it("refuses what the hubs would refuse with exit status 2 and publishes nothing", async () => {
    const length = await redis.cli("XLEN", "bookings:history");
    const run = push("--specialist", "3:4");
    expect({ status: run.status, stdout: run.stdout, stderr: run.stderr.trim() }).toEqual({
      status: 2,
      stdout: "",
      stderr: 'test_booking_push: realtime-bookings: invalid booking event: data.specialist_id must be a non-negative integer or 1-64 characters of A-Z, a-z, 0-9, "_" and "-"',
    });
    expect(await redis.cli("XLEN", "bookings:history")).toBe(length);
    expect(push("--bogus").status).toBe(2);
    expect(push("--help").stdout).toContain("Usage: test_booking_push");
  });

  it("says so when Redis cannot be reached, exit status 1", () => {
    const run = spawnSync("php", ["bin/test_booking_push", "--redis", "redis://127.0.0.1:1"], { cwd: PACKAGE, encoding: "utf8", timeout: 20_000 });
    expect([run.status, run.stderr]).toEqual([1, expect.stringMatching(/^test_booking_push: realtime-bookings: Redis failed: cannot connect/)]);
  });
});

describe.skipIf(!available || !hasRedisServer())("php/bin/test_booking_push --http, through the real hub CLI", () => {
  const SECRET = "test-booking-push-http-secret-0123456789-abcdef";
  let redis: RedisServer;
  let hub: Child;
  let hubUrl: string;
  beforeAll(async () => {
    redis = await startRedisServer();
    let url: string;
    ({ hub, url } = await startHub(["--path-prefix", "/rt", "--redis", redis.url], { REALTIME_BOOKINGS_SECRET: SECRET }));
    hubUrl = `${url}/rt`;
  });
  afterAll(async () => {
    await hub?.stop();
    await redis?.stop();
  });

  const push = (env: Record<string, string>, ...args: string[]) =>
    spawnSync("php", ["bin/test_booking_push", ...args], { cwd: PACKAGE, encoding: "utf8", timeout: 30_000, env: { ...process.env, REALTIME_BOOKINGS_SECRET: "", REALTIME_BOOKINGS_PUBLISHER_TOKEN: "", ...env } });

  it("publishes over POST /publish with a token it mints from the secret, and prints the history id", async () => {
    const run = push({ REALTIME_BOOKINGS_SECRET: SECRET }, "--http", hubUrl, "--id", "88", "--specialist", "41", "--workpoint", "6", "--idempotency-key", "cli-key-1");
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    const id = run.stdout.trim();
    expect(await redis.cli("XRANGE", "bookings:history", id, id)).toContain('"type":"create","data":{"id":88,"specialist_id":41,"workpoint_id":6');
    expect(Number(await redis.cli("GET", "bookings:version:workpoint:6"))).toBe(1);
  });

  it("exits 2 with the hub's reason when the token may not publish that workpoint, and 1 when the hub is down", async () => {
    const token = spawnSync(process.execPath, [CLI, "token", "--publisher", "--workpoints", "9"], { encoding: "utf8", env: { ...process.env, REALTIME_BOOKINGS_SECRET: SECRET } }).stdout.trim();
    const length = await redis.cli("XLEN", "bookings:history");
    const refused = push({ REALTIME_BOOKINGS_PUBLISHER_TOKEN: token }, "--http", hubUrl, "--workpoint", "1");
    expect([refused.status, refused.stdout, refused.stderr.trim()]).toEqual([2, "", "test_booking_push: realtime-bookings: the hub refused the publish (403 publish_forbidden): This publisher may not publish for workpoint 1."]);
    expect(await redis.cli("XLEN", "bookings:history")).toBe(length);
    const down = push({ REALTIME_BOOKINGS_PUBLISHER_TOKEN: token }, "--http", `http://127.0.0.1:${await freePort()}`, "--workpoint", "9");
    expect([down.status, down.stderr]).toEqual([1, expect.stringMatching(/^test_booking_push: realtime-bookings: the hub is unavailable: .*Connection refused/)]);
    expect(push({}, "--http", hubUrl).stderr).toContain("--http needs --token");
  });
});
