// How the built packages behave for users who `require()` them, who install without the optional
// Redis clients, or who load the <script> bundle through `exports`.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { root, runNode } from "./support/run.js";

describe("CommonJS users of @realtime-bookings/server", () => {
  it("get one HubError class across entry points: what ./ioredis throws is instanceof the main entry's HubError", () => {
    const script = `
      const { HubError } = require("@realtime-bookings/server");
      const { createRedisClient } = require("@realtime-bookings/server/ioredis");
      try { createRedisClient({ url: "http://127.0.0.1:6379" }); console.log("no error"); }
      catch (error) { console.log(JSON.stringify({ instanceOf: error instanceof HubError, code: error.code })); }`;
    const r = runNode(["-e", script], root);
    expect(r.output.trim()).toBe(JSON.stringify({ instanceOf: true, code: "invalid_options" }));
  });
});

describe("an app that installed @realtime-bookings/server without ioredis (an optional peer)", () => {
  // A project holding only what npm installs for the package: its build, protocol and jose.
  const app = mkdtempSync(join(tmpdir(), "rb-no-ioredis-"));
  afterAll(() => rmSync(app, { recursive: true, force: true }));
  for (const name of ["server", "protocol"]) {
    const to = join(app, "node_modules/@realtime-bookings", name);
    mkdirSync(to, { recursive: true });
    cpSync(`${root}packages/${name}/package.json`, join(to, "package.json"));
    cpSync(`${root}packages/${name}/dist`, join(to, "dist"), { recursive: true });
  }
  symlinkSync(`${root}node_modules/jose`, join(app, "node_modules/jose"));

  it("loads the main entry, ESM and CJS", () => {
    const esm = runNode(["--input-type=module", "-e", `const s = await import("@realtime-bookings/server"); console.log(typeof s.createBookingHub);`], app);
    const cjs = runNode(["-e", `console.log(typeof require("@realtime-bookings/server").createBookingHub)`], app);
    expect([esm.output.trim(), cjs.output.trim()]).toEqual(["function", "function"]);
  });

  it("gets an error naming the install command from ./ioredis, ESM and CJS", () => {
    const hint = "@realtime-bookings/server needs the ioredis package for this: npm install ioredis";
    const esm = runNode(["--input-type=module", "-e", `try { await import("@realtime-bookings/server/ioredis"); } catch (e) { console.log(e.code, e.message); }`], app);
    const cjs = runNode(["-e", `try { require("@realtime-bookings/server/ioredis"); } catch (e) { console.log(e.code, e.message); }`], app);
    expect([esm.output.trim(), cjs.output.trim()]).toEqual([`MODULE_NOT_FOUND ${hint}`, `MODULE_NOT_FOUND ${hint}`]);
  });
});

describe("@realtime-bookings/client/global, the <script> bundle through exports", () => {
  it("resolves for import and require, and defines the RealtimeBookings global with its helpers", () => {
    const probe = `console.log(JSON.stringify([typeof globalThis.RealtimeBookings, typeof globalThis.RealtimeBookings?.mountStatusButton, typeof globalThis.RealtimeBookings?.RealtimeBookingsError]))`;
    const esm = runNode(["--input-type=module", "-e", `await import("@realtime-bookings/client/global"); ${probe}`], root);
    const cjs = runNode(["-e", `require("@realtime-bookings/client/global"); ${probe}`], root);
    const expected = JSON.stringify(["function", "function", "function"]);
    expect([esm.output.trim(), cjs.output.trim()]).toEqual([expected, expected]);
  });
});
