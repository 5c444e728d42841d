import { type RedisServer, freePort, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Child } from "../../examples/php/test/support.js";
import { PACKAGE, hasPhpToolchain, requireBuiltCli, startHub } from "./support.js";

/**
 * PHPUnit (Debian's phpunit) runs the Composer package's tests, unit and integration, against an
 * owned redis-server and the real hub CLI on it (`serve --redis … --issuer … --audience …`, with the
 * HS256 secret and an Ed25519 public key), plus a second hub whose Redis port has no server (it answers
 * `POST /publish` with 503 and `Retry-After`, for HttpPublisher's retries). A PHPUnit
 * failure, error, warning, risky or skipped test fails this test with PHPUnit's whole output.
 */
const SECRET = "php-package-secret-0123456789-abcdefghijklmnop";
const ISSUER = "https://app.example.test";
const AUDIENCE = "realtime-bookings-php-tests";
const available = hasRedisServer() && hasPhpToolchain();
// The hub also holds an Ed25519 public key, so PHP's EdDSA tokens are checked live too; PHP gets the seed.
const ed25519 = generateKeyPairSync("ed25519");
const ED25519_PUBLIC_PEM = ed25519.publicKey.export({ type: "spki", format: "pem" }).toString();
const ED25519_SEED = Buffer.from(ed25519.privateKey.export({ format: "jwk" }).d ?? "", "base64url").toString("base64");

/** Runs phpunit in php/ with the environment the integration tests read; bounded. */
function phpunit(env: Record<string, string>): Promise<{ status: number | null; output: string }> {
  const child = spawn("phpunit", ["--fail-on-skipped", "--fail-on-incomplete", "--fail-on-risky", "--fail-on-warning", "--testdox"], {
    cwd: PACKAGE,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

describe.skipIf(!available)("php/: the Composer package under PHPUnit, against redis-server and the hub", () => {
  let redis: RedisServer;
  let hub: Child;
  let hubUrl: string;
  let hubWithoutRedis: Child;
  let hubWithoutRedisUrl: string;

  beforeAll(async () => {
    requireBuiltCli();
    redis = await startRedisServer();
    ({ hub, url: hubUrl } = await startHub(["--redis", redis.url, "--issuer", ISSUER, "--audience", AUDIENCE], {
      REALTIME_BOOKINGS_SECRET: SECRET,
      REALTIME_BOOKINGS_PUBLIC_KEY: ED25519_PUBLIC_PEM,
    }));
    // Nothing listens on the Redis port: the hub starts anyway and serves 503 until Redis is there.
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    ({ hub: hubWithoutRedis, url: hubWithoutRedisUrl } = await startHub(["--redis", deadRedis, "--issuer", ISSUER, "--audience", AUDIENCE], { REALTIME_BOOKINGS_SECRET: SECRET }));
  });
  afterAll(async () => {
    await hubWithoutRedis?.stop();
    await hub?.stop();
    await redis?.stop();
  });

  it("every PHPUnit test passes with phpredis and with Predis (none skipped)", async () => {
    const run = await phpunit({ RB_TEST_REDIS_URL: redis.url, RB_TEST_HUB_URL: hubUrl, RB_TEST_SECRET: SECRET, RB_TEST_ISSUER: ISSUER, RB_TEST_AUDIENCE: AUDIENCE, RB_TEST_ED25519_SEED: ED25519_SEED, RB_TEST_HUB_WITHOUT_REDIS_URL: hubWithoutRedisUrl });
    if (run.status !== 0) expect.fail(`phpunit exited ${run.status}:\n${run.output}\n--- hub output ---\n${hub.output()}`);
    const summary = /OK \((\d+) tests?, (\d+) assertions?\)/.exec(run.output);
    expect(summary, run.output).not.toBeNull();
    // The suites ran with both clients (names from the data providers).
    expect(run.output).toMatch(/An event reaches the viewers of its scope and not another scope with data set .phpredis/);
    expect(run.output).toMatch(/An event reaches the viewers of its scope and not another scope with data set .predis/);
    console.info(`[php] ${summary?.[0]}`);
  });
});
