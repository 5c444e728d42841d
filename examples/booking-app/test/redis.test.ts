import { type RedisServer, type SseReader, hasRedisServer, startRedisServer } from "@realtime-bookings/test-utils";
import { sleep } from "@realtime-bookings/test-utils";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bookingForm, signIn } from "./support/app.js";
import { type DemoProcess, runBuilt, startDemo } from "./support/demo-process.js";

/**
 * Two demo processes on one Redis and one SQLite file, as `REDIS_URL=… PORT=3001 npm start` twice
 * would run them: a booking made through one reaches the browsers connected to the other.
 */
describe.skipIf(!hasRedisServer())("two instances on Redis", () => {
  let redis: RedisServer;
  let dir: string;
  let a: DemoProcess;
  let b: DemoProcess;
  const readers: SseReader[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), "booking-redis-"));
    const env = { DATABASE_PATH: join(dir, "bookings.sqlite"), REDIS_URL: redis.url };
    // Started together: the IMMEDIATE transaction makes exactly one of them seed the new file.
    [a, b] = await Promise.all([startDemo(env), startDemo(env)]);
  });

  afterAll(async () => {
    for (const r of readers) r.close();
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const bookingEvents = (r: SseReader): Array<{ type: string; data: { id: number } }> =>
    r.events.filter((e) => e.event === "booking").map((e) => JSON.parse(e.data) as { type: string; data: { id: number } });

  it("seeded the shared file once and say they run on Redis", () => {
    const seeded = [a.output(), b.output()].filter((out) => out.includes("created ")).length;
    expect(seeded).toBe(1);
    expect(a.output()).toContain(`broker: Redis ${redis.url}`);
  });

  it("a booking made on one instance reaches the other's streams within 1 s, only where it may", async () => {
    const writer = await signIn(a.url, "specialist-1");
    const [sup1, sup2] = await Promise.all([signIn(b.url, "supervisor-1"), signIn(b.url, "supervisor-2")]);
    const [onB1, onB2] = await Promise.all([sup1.stream(), sup2.stream()]);
    readers.push(onB1, onB2);
    expect([onB1.status, onB2.status]).toEqual([200, 200]);
    const before = ((await (await sup1.get("/api/bookings/version")).json()) as { version: number }).version;

    const started = Date.now();
    const created = await writer.post("/bookings", bookingForm({ date: "2030-04-01" }));
    expect(created.status).toBe(201);
    const { booking } = (await created.json()) as { booking: { id: number } };
    await onB1.waitForEvents(1, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(bookingEvents(onB1)).toEqual([expect.objectContaining({ type: "create", data: expect.objectContaining({ id: booking.id }) })]);
    expect(((await (await sup1.get("/api/bookings/version")).json()) as { version: number }).version).toBe(before + 1);
    await sleep(200);
    expect(bookingEvents(onB2)).toEqual([]);
  });

  it("shares sign-ins through the database: a session made on one instance works on the other", async () => {
    const agent = await signIn(a.url, "specialist-2");
    const onB = await fetch(`${b.url}/api/bookings/version`, { headers: { Cookie: agent.cookie } });
    expect(onB.status).toBe(200);
  });

  it("`npm run book` with REDIS_URL publishes through Redis to every instance", async () => {
    const sup2 = await signIn(b.url, "supervisor-2");
    const reader = await sup2.stream();
    readers.push(reader);
    const result = await runBuilt("cli/book.js", ["--specialist", "4", "--date", "2030-04-02", "--start", "10:00"], {
      DATABASE_PATH: join(dir, "bookings.sqlite"),
      REDIS_URL: redis.url,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/created #\d+ 2030-04-02 10:00–10:30 Test booking for Test Client, Sofia Lind at Riverside Clinic/);
    const [event] = await reader.waitForEvents(1, 2000);
    expect(JSON.parse(event?.data ?? "{}")).toMatchObject({ type: "create", data: { specialist_id: 4, workpoint_id: 2 } });
  });
});
