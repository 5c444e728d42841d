// Issue 19 at the command line: Idempotency-Key on two standalone hubs at once, publish --idempotency-key.
import { type RedisServer, type SseReader, hasRedisServer, openSse, sleep, startRedisServer } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  await killChildren();
});
const viewerOn = async (url: string): Promise<SseReader> => {
  const reader = await openSse(`${url}/events`, bearer(await viewerToken({ role: "specialist", specialist_id: 3 })));
  readers.push(reader);
  for (let i = 0; i < 300 && reader.ready.length === 0; i++) await sleep(10);
  return reader;
};
const publishArgs = (id: number, redisUrl: string, prefix: string) => ["publish", "--type", "create", "--id", String(id), "--specialist", "3", "--workpoint", "1", "--redis", redisUrl, "--key-prefix", prefix];

describe.runIf(hasRedisServer())("idempotent publishing through the standalone hub and the CLI", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("the same Idempotency-Key sent at once to two hub processes yields one event, seen once on each hub, and one id", async () => {
    const prefix = `idem${Date.now()}`;
    const [a, b] = await Promise.all([0, 1].map(() => startServe(["--secret", SECRET, "--redis", redis.url, "--key-prefix", prefix])));
    if (!a || !b) throw new Error("two hubs expected");
    const [onA, onB] = await Promise.all([viewerOn(a.url), viewerOn(b.url)]);
    const token = (await runCli(["token", "--publisher", "--secret", SECRET])).stdout.trim();
    const body = JSON.stringify({ type: "create", data: { id: 11, specialist_id: 3, workpoint_id: 1 } });
    const send = (url: string) =>
      fetch(`${url}/publish`, { method: "POST", headers: { "Content-Type": "application/json", "Idempotency-Key": "retry-11", ...bearer(token) }, body }).then(
        async (r) => ({ status: r.status, ...((await r.json()) as { id: string; replayed: boolean }) }),
      );
    // Five rounds of both hubs at once: every answer names the one event.
    const answers = (await Promise.all([0, 1, 2, 3, 4].flatMap(() => [send(a.url), send(b.url)]))).map((r) => [r.status, r.id]);
    await Promise.all([onA.waitForEvents(1), onB.waitForEvents(1)]);
    await sleep(200);
    const id = answers[0]?.[1];
    expect({ answers: new Set(answers.map((x) => JSON.stringify(x))).size, onA: onA.events.map((e) => e.id), onB: onB.events.map((e) => e.id) }).toEqual({ answers: 1, onA: [id], onB: [id] });
  });

  it("publish --idempotency-key: a retry prints the first id and says replayed; a bad key or another event under the key are refused", async () => {
    const prefix = `idemcli${Date.now()}`;
    const first = await runCli([...publishArgs(1, redis.url, prefix), "--idempotency-key", "cli-1"]);
    const retry = await runCli([...publishArgs(1, redis.url, prefix), "--idempotency-key", "cli-1"]);
    const other = await runCli([...publishArgs(2, redis.url, prefix), "--idempotency-key", "cli-1"]);
    const bad = await runCli([...publishArgs(3, redis.url, prefix), "--idempotency-key", "has space"]);
    const length = Number(await redis.cli("XLEN", `${prefix}:history`));
    expect({
      first: [first.code, /^\d+-\d+\n$/.test(first.stdout), first.stderr],
      retry: [retry.code, retry.stdout, /replayed/.test(retry.stderr)],
      other: [other.code, other.stdout, /idempotency key was already used for a different event/.test(other.stderr)],
      bad: [bad.code, /--idempotency-key: the idempotency key must be 1-255 visible ASCII characters/.test(bad.stderr)],
      length,
    }).toEqual({ first: [0, true, ""], retry: [0, first.stdout, true], other: [1, "", true], bad: [2, true], length: 1 });
  });
});
