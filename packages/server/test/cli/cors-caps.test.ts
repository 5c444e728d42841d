import { type SseReader, openSse } from "@realtime-bookings/test-utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SECRET, type ServeProcess, bearer, killChildren, startServe, until, viewerToken } from "./support/cli.js";

const readers: SseReader[] = [];
afterEach(() => {
  for (const reader of readers.splice(0)) reader.close();
});
afterAll(killChildren);

const sse = async (url: string, headers?: Record<string, string>): Promise<SseReader> => {
  const reader = await openSse(url, headers);
  readers.push(reader);
  return reader;
};
const corsHeaders = (headers: Headers | Record<string, string | string[] | undefined>) => {
  const get = (name: string) => (headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined)) ?? undefined;
  return {
    origin: get("access-control-allow-origin"),
    credentials: get("access-control-allow-credentials"),
    vary: get("vary"),
  };
};

describe("realtime-bookings serve: CORS", () => {
  let hub: ServeProcess;
  beforeAll(async () => {
    hub = await startServe(["--secret", SECRET, "--cors-origin", "https://app.example", "--cors-origin", "https://admin.example, https://other.example:8443"]);
    expect(hub.stdout()).toContain("CORS: https://app.example https://admin.example https://other.example:8443");
  });

  it("answers the preflight of an allowed origin with credentials and the headers the client sends", async () => {
    for (const [path, origin] of [
      ["/events", "https://app.example"],
      ["/version", "https://other.example:8443"],
    ] as const) {
      const response = await fetch(`${hub.url}${path}`, {
        method: "OPTIONS",
        headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization,last-event-id" },
      });
      expect(response.status).toBe(204);
      expect(corsHeaders(response.headers)).toEqual({ origin, credentials: "true", vary: "Origin" });
      const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "last-event-id", "if-none-match"]));
      expect(response.headers.get("access-control-allow-methods")).toBe("GET, OPTIONS");
      expect(Number(response.headers.get("access-control-max-age"))).toBeGreaterThan(0);
    }
  });

  it("streams to an allowed origin with credentials, and lets it read a refusal's reason", async () => {
    const token = await viewerToken({ role: "admin" });
    const stream = await sse(`${hub.url}/events`, { ...bearer(token), Origin: "https://admin.example" });
    expect([stream.status, corsHeaders(stream.headers)]).toEqual([200, { origin: "https://admin.example", credentials: "true", vary: "Origin" }]);
    const refused = await fetch(`${hub.url}/events`, { headers: { Origin: "https://app.example" } });
    expect([refused.status, corsHeaders(refused.headers).origin, ((await refused.json()) as { error: string }).error]).toEqual([401, "https://app.example", "token_missing"]);
  });

  it("gives an origin that is not allowed no stream and no CORS headers, even with a valid token", async () => {
    const token = await viewerToken({ role: "admin" });
    for (const origin of ["https://evil.example", "https://app.example.evil.example", "http://app.example", "null"]) {
      const stream = await sse(`${hub.url}/events`, { ...bearer(token), Origin: origin });
      await stream.ended;
      expect([origin, stream.status, corsHeaders(stream.headers).origin, stream.events.length, JSON.parse(stream.raw()).error]).toEqual([
        origin,
        403,
        undefined,
        0,
        "origin_not_allowed",
      ]);
      const preflight = await fetch(`${hub.url}/events`, { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
      expect([preflight.status, corsHeaders(preflight.headers).origin]).toEqual([403, undefined]);
    }
  });
});

describe("realtime-bookings serve: connection caps", () => {
  it("caps streams per user (token sub, else scope) and in total with 429, and counts the refusals", async () => {
    const hub = await startServe(["--secret", SECRET, "--max-connections-per-viewer", "2", "--max-connections", "6"]);
    const user1 = await viewerToken({ role: "specialist", specialist_id: 3, sub: "user-1" });
    const user2 = await viewerToken({ role: "specialist", specialist_id: 3, sub: "user-2" });
    const anonymous9 = await viewerToken({ role: "specialist", specialist_id: 9 });
    const open = async (token: string) => sse(`${hub.url}/events`, bearer(token));

    const first = await open(user1);
    await open(user1);
    const third = await open(user1);
    expect([first.status, third.status]).toEqual([200, 429]);
    await third.ended;
    expect(JSON.parse(third.raw())).toEqual({ error: "too_many_connections", message: expect.any(String) });
    expect(Number(third.headers["retry-after"])).toBeGreaterThanOrEqual(1);

    // The same scope under another sub is another user; without a sub, the scope is the key.
    expect((await open(user2)).status).toBe(200);
    expect((await open(anonymous9)).status).toBe(200);
    expect((await open(anonymous9)).status).toBe(200);
    expect((await open(anonymous9)).status).toBe(429);
    expect((await open(await viewerToken({ role: "specialist", specialist_id: 9, sub: "user-9" }))).status).toBe(200);
    // 6 open: the global cap refuses everyone.
    expect((await open(await viewerToken({ role: "admin" }))).status).toBe(429);

    first.close();
    await until(async () => {
      const stats = (await (await fetch(`${hub.url}/metrics?format=json`)).json()) as { connections: { specialist: number } };
      return stats.connections.specialist === 5;
    }, 5_000, "the closed stream to be freed");
    expect((await open(user1)).status).toBe(200);
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toContain("realtime_bookings_connections_refused_total 3\n");
    expect(metrics).toContain('realtime_bookings_connections{role="specialist"} 6\n');
  });
});
