import { type BookingEvent, type EventScope, type Viewer, canView, parseBookingEvent, safeParseViewer } from "@realtime-bookings/protocol";
import { type SseReader, openSse, sleep } from "@realtime-bookings/test-utils";
import fc from "fast-check";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { createBookingHub, memoryBroker } from "@realtime-bookings/server";
import { recordFigures } from "./support/ledger.js";

const id = fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constantFrom("1", "2", "3"));
const viewerArb: fc.Arbitrary<Viewer> = fc.oneof(
  fc.constant({ role: "admin" as const }),
  id.map((w) => ({ role: "supervisor" as const, workpoint_id: w })),
  id.map((s) => ({ role: "specialist" as const, specialist_id: s })),
);
const eventArb: fc.Arbitrary<BookingEvent> = fc
  .record({
    type: fc.constantFrom("create" as const, "update" as const, "delete" as const),
    specialist: id,
    workpoint: id,
    previous: fc.option(fc.record({ specialist_id: fc.option(id, { nil: undefined }), workpoint_id: fc.option(id, { nil: undefined }) }), { nil: undefined }),
  })
  .map(({ type, specialist, workpoint, previous }) => {
    const data = { id: 1, specialist_id: specialist, workpoint_id: workpoint };
    const prev = previous && Object.fromEntries(Object.entries(previous).filter(([, v]) => v !== undefined));
    return type === "update" && prev && Object.keys(prev).length ? { type, data, previous: prev } : { type, data };
  });
/** Query parameters and headers a viewer might add to try to widen its scope: none may matter. */
const hostileExtras = fc.constantFrom(
  { query: "&role=admin&specialist_id=1&workpoint_id=1", headers: {} },
  { query: "&as=admin", headers: {} },
  { query: "", headers: { "X-Viewer-Role": "admin", Cookie: "role=admin" } },
  { query: "&lastEventId=0-0", headers: {} },
  { query: "", headers: { "Last-Event-ID": "*" } },
);

const scopeOf = (viewer: Viewer) => {
  const parsed = safeParseViewer(viewer);
  if (!parsed.ok) throw parsed.error;
  return parsed.value;
};

/** Runs one scenario: viewers connect, events are published, and what each sees is compared with the rule. */
async function scenario(viewers: Viewer[], events: BookingEvent[], extras: { query: string; headers: Record<string, string> }) {
  // The hub authenticates by a token naming the viewer's index; nothing else in the request counts.
  const hub = createBookingHub({ broker: memoryBroker(), authenticate: (r) => viewers[Number(r.header("authorization")?.slice(7))] ?? null });
  const server = createServer((req, res) => void (req.url?.startsWith("/events") ? hub.events.node(req, res) : hub.version.node(req, res)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = (i: number) => ({ Authorization: `Bearer ${i}` });
  const readers: SseReader[] = [];
  try {
    const live = await Promise.all(viewers.map((_, i) => openSse(`${base}/events?x=1${extras.query}`, { ...extras.headers, ...auth(i) })));
    readers.push(...live);
    const published: Array<{ id: string; scope: EventScope; seq: number }> = [];
    const publish = async (event: BookingEvent, seq: number) => {
      const { id: eventId } = await hub.publish({ ...event, data: { ...event.data, seq } } as BookingEvent);
      published.push({ id: eventId, scope: parseBookingEvent(event).scope, seq });
    };
    for (const [seq, event] of events.entries()) await publish(event, seq);
    // A sentinel per viewer, visible to it, marks the end of what it will receive.
    for (const [i, viewer] of viewers.entries()) {
      const data = viewer.role === "admin" ? { id: 1, specialist_id: 9, workpoint_id: 9 } : viewer.role === "supervisor" ? { id: 1, specialist_id: 9, workpoint_id: viewer.workpoint_id } : { id: 1, specialist_id: viewer.specialist_id, workpoint_id: 9 };
      await publish({ type: "create", data }, 1000 + i);
    }
    const expected = viewers.map((v) => published.filter((p) => canView(scopeOf(v), p.scope)).map((p) => p.seq));
    const seqs = (r: SseReader) => r.events.filter((e) => e.event === "booking").map((e) => JSON.parse(e.data).data.seq as number);
    // Wait for bookings, not events: a hostile Last-Event-ID correctly earns a resync first.
    const waitAll = async (rs: SseReader[], exp: number[][]) => {
      for (const t0 = Date.now(); rs.some((r, i) => seqs(r).length < (exp[i]?.length ?? 0)) && Date.now() - t0 < 5000; ) await sleep(5);
    };
    await waitAll(live, expected);
    const liveSeen = live.map(seqs);

    // Replay from the first event: each viewer gets the rest of what it may see, and nothing else.
    const replayed = await Promise.all(viewers.map((_, i) => openSse(`${base}/events`, { ...auth(i), "Last-Event-ID": published[0]?.id ?? "" })));
    readers.push(...replayed);
    const expectedReplay = expected.map((list) => list.filter((seq) => seq !== published[0]?.seq));
    await waitAll(replayed, expectedReplay);
    const replaySeen = replayed.map(seqs);

    const versions = await Promise.all(viewers.map(async (_, i) => ((await (await fetch(`${base}/version`, { headers: auth(i) })).json()) as { version: number }).version));
    return { liveSeen, expected, replaySeen, expectedReplay, versions, expectedVersions: expected.map((l) => l.length) };
  } finally {
    readers.forEach((r) => r.close());
    await hub.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe("authorization", () => {
  it("a viewer receives an event if and only if the rule allows it: live, on replay and in its version", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(viewerArb, { minLength: 1, maxLength: 6 }), fc.array(eventArb, { minLength: 1, maxLength: 12 }), hostileExtras, async (viewers, events, extras) => {
        runs += 1;
        const r = await scenario(viewers, events, extras);
        expect(r.liveSeen).toEqual(r.expected);
        expect(r.replaySeen).toEqual(r.expectedReplay);
        expect(r.versions).toEqual(r.expectedVersions);
      }),
      { numRuns: 40 },
    );
    recordFigures("authorization", { propertyRuns: runs, surfaces: ["live stream", "resume replay", "version endpoint"] });
  }, 120_000);
});
