// Credential rotation in real Chromium (issue 14): the built <script> bundle on the fetch transport,
// against the real hub, with tokens valid for 5 s (the hub sends `reauth` 1 s before expiry and ends
// the stream at expiry) for 20 s while events are published every 100 ms: the status never leaves
// live, no event is lost or doubled, and no URL Chromium requested carries a token.
import { requireBinary } from "@realtime-bookings/test-utils";
import { expect, test } from "vitest";
import { runRotation } from "./support/rotation-rig.js";

const hasChromium = requireBinary("chromium", "apt-get install chromium");

test.skipIf(!hasChromium)("5 s tokens for 20 s on the fetch transport: always live, nothing lost or doubled, no token in any URL", async () => {
  await runRotation("fetch", 20_000, ({ log, published, requests, streams }) => {
    const urls = requests.map((request) => request.slice(request.indexOf(" ") + 1));
    console.log(`[chromium] rotation: ${streams} streams in 20 s, ${log.tokens} token calls, ${log.ids.length} events`);
    expect(log.statuses).toEqual([{ status: "live", reason: "open" }]); // never away from live
    expect(log.errors).toEqual([]);
    expect(log.ids).toEqual(published); // none lost, none doubled, in order
    expect(streams).toBeGreaterThanOrEqual(5); // a rotation every ~4 s
    expect(log.tokens).toBe(streams + 1); // one per stream (so one per rotation), one for the version check
    expect(urls.filter((url) => url.includes("/api/bookings/events")).length).toBe(streams);
    expect(urls.filter((url) => /tok_|token/i.test(url))).toEqual([]);
  });
}, 60_000);
