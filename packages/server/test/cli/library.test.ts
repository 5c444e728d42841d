import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AuthenticationError,
  type HubRequest,
  type HubStats,
  createBookingHub,
  createStandaloneServer,
  jwtAuthenticator,
  memoryBroker,
  prometheusMetrics,
  signViewerToken,
} from "../../src/index.js";
import { SECRET } from "./support/cli.js";

const request = (headers: Record<string, string> = {}, query = ""): HubRequest => {
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const raw = new Request(`http://hub.test/events${query}`, { headers });
  return {
    method: "GET",
    url: new URL(`http://hub.test/events${query}`),
    header: (name) => lower[name.toLowerCase()],
    cookie: () => undefined,
    raw,
  };
};

const stats: HubStats = {
  connections: { admin: 1, supervisor: 2, specialist: 3 },
  eventsReceived: 4,
  eventsRecovered: 0,
  eventsDelivered: 9,
  eventsDropped: 1,
  messagesRejected: 0,
  slowReadersDropped: 1,
  replays: 0,
  resyncs: 0,
  connectionsRefused: 2,
  published: 0,
  publishesRefused: 3,
  publishesRefusedBy: { credentials: 2, publish_forbidden: 0, publish_not_configured: 0, method_not_allowed: 0, unsupported_media_type: 0, too_large: 1, body_timeout: 0, invalid_event: 0, invalid_idempotency_key: 0, idempotency_key_reused: 0, other: 0 },
  reauths: 0,
  streamsDrained: 0,
  ticketsIssued: 5,
  ticketsRefused: { ticket_unknown: 0, ticket_used: 2, ticket_expired: 0, ticket_viewer_mismatch: 0, ticket_scope: 0, too_many_tickets: 0, tickets_unsupported: 0, query_token_refused: 1 },
  brokerUp: false,
  draining: false,
  oldestBacklogMs: 0,
  deliveryLag: { bounds: [5, 10], counts: [1, 2], count: 3, sum: 40 },
};

describe("jwtAuthenticator", () => {
  it("refuses unusable key options at once, saying how to fix them", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
    const attempts = [
      () => jwtAuthenticator({}),
      () => jwtAuthenticator({ secret: "too short" }),
      () => jwtAuthenticator({ publicKey: "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----" }),
      () => jwtAuthenticator({ publicKey: pem, algorithms: ["ES256"] }),
      () => jwtAuthenticator({ publicKey: pem, algorithms: ["HS256"] }),
      () => jwtAuthenticator({ secret: SECRET, algorithms: ["none" as never] }),
      () => jwtAuthenticator({ secret: SECRET, clockToleranceSec: -1 }),
    ];
    expect(attempts.map((attempt) => { try { attempt(); return "accepted"; } catch (error) { return (error as { code?: string }).code; } })).toEqual(
      Array(attempts.length).fill("invalid_options"),
    );
    expect(jwtAuthenticator({ publicKey: pem }).algorithms).toEqual(["RS256"]);
    expect(jwtAuthenticator({ publicKey: rsa.privateKey }).algorithms).toEqual(["RS256"]);
    expect(jwtAuthenticator({ secret: SECRET, publicKey: pem }).algorithms).toEqual(["HS256", "RS256"]);
  });

  it("accepts what signViewerToken signs and returns the cap key and the expiry with the viewer", async () => {
    const auth = jwtAuthenticator({ secret: SECRET });
    const token = await signViewerToken({ role: "supervisor", workpoint_id: "wp-1" }, { secret: SECRET, subject: "user-17", expiresInSec: 60 });
    const req = request({ Authorization: `Bearer ${token}` });
    const answer = await auth.authenticate(req);
    expect(answer).toEqual({ viewer: { role: "supervisor", workpoint_id: "wp-1" }, key: "sub:user-17", expiresAt: expect.any(Number) });
    expect((answer as { expiresAt: number }).expiresAt).toBeGreaterThan(Date.now() + 50_000);
    const anonymous = request({}, `?token=${await signViewerToken({ role: "specialist", specialist_id: 3 }, { secret: SECRET })}`);
    // No sub: counted by the token's own jti (signViewerToken always sets one), never by the scope.
    expect(await auth.authenticate(anonymous)).toEqual({ viewer: { role: "specialist", specialist_id: "3" }, key: expect.stringMatching(/^jti:[0-9a-f-]{36}$/), expiresAt: expect.any(Number) });
  });

  it("throws AuthenticationError with the reason, and counts it", async () => {
    const auth = jwtAuthenticator({ secret: SECRET });
    const error = await Promise.resolve(auth.authenticate(request())).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ reason: "token_missing", status: 401, headers: { "WWW-Authenticate": 'Bearer realm="realtime-bookings"' } });
    await expect(auth.verify("x.y.z")).rejects.toMatchObject({
      reason: "token_invalid",
      headers: { "WWW-Authenticate": 'Bearer realm="realtime-bookings", error="invalid_token"' },
    });
    expect(auth.failures()).toMatchObject({ token_missing: 1, token_invalid: 0 }); // verify() alone is not a request
  });
});

describe("prometheusMetrics", () => {
  it("renders every family with HELP and TYPE, escapes label values, and refuses invalid names", () => {
    const text = prometheusMetrics(stats, {
      extra: [{ name: "odd_total", help: "Odd\nhelp", type: "counter", samples: [{ labels: { path: 'a"b\\c\nd' }, value: 1 }] }],
    });
    expect(text).toContain('realtime_bookings_connections{role="supervisor"} 2\n');
    expect(text).toContain("realtime_bookings_broker_up 0\n");
    expect(text).toContain("# HELP realtime_bookings_odd_total Odd\\nhelp\n# TYPE realtime_bookings_odd_total counter\n");
    expect(text).toContain('realtime_bookings_odd_total{path="a\\"b\\\\c\\nd"} 1\n');
    // 19 families, plus tickets issued and refused (issue 14).
    expect(text.split("\n").filter((l) => l.startsWith("# TYPE")).length).toBe(21);
    expect(text).toContain('realtime_bookings_tickets_issued_total 5\n');
    expect(text).toContain('realtime_bookings_tickets_refused_total{reason="ticket_used"} 2\n');
    // Publish refusals by reason (issue 19): one family, a sample per reason.
    expect(text).toContain('realtime_bookings_publishes_refused_total{reason="credentials"} 2\nrealtime_bookings_publishes_refused_total{reason="publish_forbidden"} 0\n');
    expect(text).toContain('realtime_bookings_publishes_refused_total{reason="too_large"} 1\n');
    expect(text).toContain('realtime_bookings_delivery_lag_seconds_bucket{le="0.01"} 2\nrealtime_bookings_delivery_lag_seconds_bucket{le="+Inf"} 3\nrealtime_bookings_delivery_lag_seconds_sum 0.04\nrealtime_bookings_delivery_lag_seconds_count 3\n');
    expect(() => prometheusMetrics(stats, { extra: [{ name: "bad-name", help: "", type: "gauge", samples: [] }] })).toThrow(/not a valid Prometheus metric name/);
    expect(() => prometheusMetrics(stats, { extra: [{ name: "ok", help: "", type: "gauge", samples: [{ labels: { "bad-label": "x" }, value: 1 }] }] })).toThrow(/label/);
  });
});

describe("createStandaloneServer", () => {
  it("normalizes the path prefix and refuses a malformed one", async () => {
    const hub = createBookingHub({ broker: memoryBroker(), authenticate: () => null, logger: { warn() {}, error() {} } });
    expect(createStandaloneServer({ hub, pathPrefix: "/realtime/" }).pathPrefix).toBe("/realtime");
    expect(createStandaloneServer({ hub }).pathPrefix).toBe("");
    expect(() => createStandaloneServer({ hub, pathPrefix: "realtime" })).toThrow(/pathPrefix/);
    expect(() => createStandaloneServer({ hub, pathPrefix: "/a b" })).toThrow(/pathPrefix/);
    await hub.close();
  });
});
