import { type SseReader, openSse, redisCli } from "@realtime-bookings/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import type { BookingEvent } from "../../src/index.js";
import { signClaims } from "../auth/support/jwt-hub.js";
import { brokerKits, uniquePrefix } from "../support/brokers.js";
import { type TicketHub, startTicketHub } from "./ticket-hub.js";

const { kits, redis } = brokerKits();
const open: TicketHub[] = [];
const readers: SseReader[] = [];
afterEach(async () => {
  for (const reader of readers.splice(0)) reader.close();
  for (const hub of open.splice(0)) await hub.close();
  for (const kit of kits) await kit.cleanup();
});

const spec = (id: number, extra: Record<string, unknown> = {}) => signClaims({ role: "specialist", specialist_id: id, sub: `user-${id}`, ...extra });
const booking = (id: number, specialist: number, workpoint: number): BookingEvent => ({ type: "create", data: { id, specialist_id: specialist, workpoint_id: workpoint } });

/** What a refused request got: its status and the body's reason. */
async function refusal(url: string, headers: Record<string, string> = {}): Promise<{ status: number; error: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, error: ((await response.json()) as { error: string }).error };
}

async function stream(url: string, headers?: Record<string, string>): Promise<SseReader> {
  const reader = await openSse(url, headers);
  readers.push(reader);
  return reader;
}

describe.each(kits)("stream tickets on the $name broker", (kit) => {
  const start = async (options = {}, tolerance?: number): Promise<TicketHub> => {
    const hub = await startTicketHub(await kit.create({ prefix: uniquePrefix() }), options, tolerance);
    open.push(hub);
    return hub;
  };

  it("exchanges the header's token for a 30 s ticket that opens the viewer's own stream once, then says it was used", async () => {
    const hub = await start();
    const minted = await hub.mint(await spec(3));
    expect({ status: minted.status, cache: minted.headers.get("cache-control"), body: minted.body }).toEqual({
      status: 200,
      cache: "no-store",
      body: { ticket: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/), expiresIn: 30 },
    });
    const ticket = minted.body["ticket"] as string;
    const reader = await stream(`${hub.url}/events?ticket=${ticket}`);
    expect(reader.status).toBe(200);
    await hub.hub.publish(booking(1, 4, 1));
    await hub.hub.publish(booking(2, 3, 1));
    const [event] = await reader.waitForEvents(1);
    expect(JSON.parse(event?.data ?? "null")).toEqual({ type: "create", data: { id: 2, specialist_id: 3, workpoint_id: 1 } });
    expect(await refusal(`${hub.url}/events?ticket=${ticket}`)).toEqual({ status: 401, error: "ticket_used" });
    expect(await refusal(`${hub.url}/version?ticket=${ticket}`)).toEqual({ status: 401, error: "ticket_used" });
    expect(hub.hub.stats()).toMatchObject({ ticketsIssued: 1, ticketsRefused: { ticket_used: 2 } });
  });

  it("refuses a forged, malformed or unknown ticket, and a ticket past its lifetime, each with its reason", async () => {
    // Tolerance 0 and a token valid 2 s: the ticket lives as long as the token, not 30 s.
    const hub = await start({}, 0);
    expect(await refusal(`${hub.url}/events?ticket=${"A".repeat(32)}`)).toEqual({ status: 401, error: "ticket_unknown" });
    expect(await refusal(`${hub.url}/events?ticket=short`)).toEqual({ status: 401, error: "ticket_unknown" });
    expect(await refusal(`${hub.url}/events?ticket=`)).toEqual({ status: 401, error: "ticket_unknown" });
    const minted = await hub.mint(await spec(3, { exp: Math.floor(Date.now() / 1000) + 2 }));
    expect(minted.body["expiresIn"]).toBeLessThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(await refusal(`${hub.url}/events?ticket=${String(minted.body["ticket"])}`)).toEqual({ status: 401, error: "ticket_expired" });
  });

  it("refuses a ticket presented with another viewer's credentials, and burns it", async () => {
    const hub = await start();
    const ticket = String((await hub.mint(await spec(3))).body["ticket"]);
    expect(await refusal(`${hub.url}/events?ticket=${ticket}`, { Authorization: `Bearer ${await spec(4)}` })).toEqual({ status: 403, error: "ticket_viewer_mismatch" });
    expect(await refusal(`${hub.url}/events?ticket=${ticket}`)).toEqual({ status: 401, error: "ticket_used" });
    // The same viewer's own credentials beside its ticket are fine.
    const own = String((await hub.mint(await spec(3))).body["ticket"]);
    expect((await stream(`${hub.url}/events?ticket=${own}`, { Cookie: `rb_token=${await spec(3)}` })).status).toBe(200);
  });

  it("grants no more than the token's scope: a specialist cannot ask for a workpoint; an admin may narrow to one", async () => {
    const hub = await start();
    const asked = await hub.mint(await spec(3), JSON.stringify({ scope: { role: "supervisor", workpoint_id: 1 } }));
    expect({ status: asked.status, error: asked.body["error"] }).toEqual({ status: 403, error: "ticket_scope" });
    const garbage = await hub.mint(await spec(3), "{\"scope\": 7}");
    expect({ status: garbage.status, error: garbage.body["error"] }).toEqual({ status: 400, error: "bad_ticket_request" });
    const narrowed = await hub.mint(await signClaims({ role: "admin", sub: "root" }), JSON.stringify({ scope: { role: "supervisor", workpoint_id: 2 } }));
    const reader = await stream(`${hub.url}/events?ticket=${String(narrowed.body["ticket"])}`);
    await hub.hub.publish(booking(1, 3, 1));
    await hub.hub.publish(booking(2, 3, 2));
    const [event] = await reader.waitForEvents(1);
    expect(JSON.parse(event?.data ?? "null")).toMatchObject({ data: { id: 2, workpoint_id: 2 } });
  });

  it("caps minting per viewer: a valid token cannot fill the broker with tickets", async () => {
    const hub = await start();
    const token = await spec(3);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) statuses.push((await hub.mint(token)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    const refused = await hub.mint(token);
    expect({ error: refused.body["error"], retryAfter: Number(refused.headers.get("retry-after")) >= 1 }).toEqual({ error: "too_many_tickets", retryAfter: true });
    // Another viewer is not locked out by the first one's cap.
    expect((await hub.mint(await spec(4))).status).toBe(200);
  });

  it("refuses ?token= with a reason saying what to do, unless allowQueryToken", async () => {
    const strict = await start();
    const token = await spec(3);
    const answer = await fetch(`${strict.url}/events?token=${token}`);
    expect({ status: answer.status, body: await answer.json() }).toEqual({ status: 401, body: { error: "query_token_refused", message: expect.stringMatching(/Authorization.*ticket/) } });
    expect(await refusal(`${strict.url}/version?token=${token}`)).toEqual({ status: 401, error: "query_token_refused" });
    const lax = await start({ allowQueryToken: true });
    expect((await stream(`${lax.url}/events?token=${token}`)).status).toBe(200);
  });

  it("a stream opened with a ticket carries its token's expiry: it gets reauth before the token runs out", async () => {
    // Tolerance 0, token valid 30 s, notice 28.5 s ahead: the notice is due 1.5 s after opening.
    const hub = await start({ reauthLeadMs: 28_500 }, 0);
    const ticket = String((await hub.mint(await spec(3, { exp: Math.floor(Date.now() / 1000) + 30 }))).body["ticket"]);
    const reader = await stream(`${hub.url}/events?ticket=${ticket}`);
    await expect.poll(() => reader.raw().includes("event: reauth"), { timeout: 5_000 }).toBe(true);
  });
});

describe.each(kits.filter((k) => k.redis))("stream tickets in Redis: $name", (kit) => {
    it("stores only the ticket's SHA-256 in Redis, with an expiry", async () => {
      const prefix = uniquePrefix();
      const hub = await startTicketHub(await kit.create({ prefix }));
      open.push(hub);
      const ticket = String((await hub.mint(await spec(3))).body["ticket"]);
      const port = Number(new URL(redis()?.url ?? "redis://127.0.0.1:6379").port);
      const keys = (await redisCli(port, "--scan", "--pattern", `${prefix}:ticket:*`)).trim().split("\n");
      expect(keys).toEqual([expect.stringMatching(new RegExp(`^${prefix}:ticket:[0-9a-f]{64}$`))]);
      expect(keys[0]).not.toContain(ticket);
      const ttl = Number((await redisCli(port, "PTTL", keys[0] as string)).trim());
      expect(ttl).toBeGreaterThan(80_000);
      expect(ttl).toBeLessThanOrEqual(90_000);
    });
});
