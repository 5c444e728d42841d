import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "./ports.js";
import { openSse, sleep } from "./sse-reader.js";

/** What each framework example's `createApp()` returns: listen, close. */
export interface ListeningApp {
  /** Listens; resolves with the base URL. */
  listen(port: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * The suite every framework example (node:http, Express, Hono) must pass: sessions guard the stream and
 * the version, a publish reaches exactly the viewers allowed to see it, only a user allowed to change
 * a booking may publish its change (403 otherwise), a sign-in or publish posted from another site is
 * refused (403), invalid events get 400, the page loads the SDK bundle, and `npm start` runs the built
 * example on `PORT`.
 *
 * @param title - e.g. `the Express example`
 * @param createApp - the example's factory
 * @param builtMain - the absolute path of the example's built `dist/main.js`
 */
export function describeExampleApp(title: string, createApp: () => ListeningApp, builtMain: string): void {
  let app: ListeningApp;
  let url: string;
  beforeAll(async () => {
    app = createApp();
    url = await app.listen(0);
  });
  afterAll(() => app.close());

  async function signIn(as: string): Promise<string> {
    const response = await fetch(`${url}/login`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: `as=${as}` });
    expect(response.status).toBe(303);
    return (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  }
  const publish = (cookie: string, event: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${url}/bookings`, { method: "POST", headers: { Cookie: cookie, "Content-Type": "application/json", ...headers }, body: JSON.stringify(event) });

  describe(title, () => {
    it("refuses the stream and the version without a session", async () => {
      expect((await fetch(`${url}/events`)).status).toBe(401);
      expect((await fetch(`${url}/version`)).status).toBe(401);
      expect((await publish("", { type: "create", data: { id: 1, specialist_id: 3, workpoint_id: 1 } })).status).toBe(401);
    });

    it("streams a published change to the viewers allowed to see it, and bumps their version", async () => {
      const [specialist, otherWorkpoint] = await Promise.all([signIn("specialist:3"), signIn("supervisor:2")]);
      const [mine, theirs] = await Promise.all([openSse(`${url}/events`, { Cookie: specialist }), openSse(`${url}/events`, { Cookie: otherWorkpoint })]);
      expect([mine.status, mine.headers["content-type"]]).toEqual([200, "text/event-stream; charset=utf-8"]);
      const event = { type: "create", data: { id: 42, specialist_id: 3, workpoint_id: 1 } };
      expect((await publish(specialist, event)).status).toBe(202);
      const [received] = await mine.waitForEvents(1, 2000);
      expect(JSON.parse(received?.data ?? "")).toEqual(event);
      await sleep(100);
      expect(theirs.events).toEqual([]);
      expect(await (await fetch(`${url}/version`, { headers: { Cookie: specialist } })).json()).toEqual({ version: 1 });
      mine.close();
      theirs.close();
    });

    it("publishes only changes the signed-in user may make (403 otherwise), so nothing forged reaches anyone", async () => {
      const [specialist, supervisor, admin, victimCookie] = await Promise.all([signIn("specialist:3"), signIn("supervisor:1"), signIn("admin"), signIn("specialist:4")]);
      const victim = await openSse(`${url}/events`, { Cookie: victimCookie });
      try {
        const forged: Array<[string, string, unknown]> = [
          ["into another's calendar", specialist, { type: "create", data: { id: 7, specialist_id: 4, workpoint_id: 2 } }],
          ["an id as a string", specialist, { type: "delete", data: { id: 7, specialist_id: "4", workpoint_id: 1 } }],
          ["taking another's booking", specialist, { type: "update", data: { id: 7, specialist_id: 3, workpoint_id: 1 }, previous: { specialist_id: 4 } }],
          ["handing a booking away", specialist, { type: "update", data: { id: 7, specialist_id: 4, workpoint_id: 1 }, previous: { specialist_id: 3 } }],
          ["a test event", specialist, { type: "test", data: { specialist_id: 4 } }],
          ["no scope at all", specialist, { type: "create", data: { id: 7 } }],
          ["another workpoint", supervisor, { type: "create", data: { id: 7, specialist_id: 4, workpoint_id: 2 } }],
          ["taking another workpoint's booking", supervisor, { type: "update", data: { id: 7, specialist_id: 4, workpoint_id: 1 }, previous: { workpoint_id: 2 } }],
          ["moving a booking to another workpoint", supervisor, { type: "update", data: { id: 7, specialist_id: 4, workpoint_id: 2 }, previous: { workpoint_id: 1 } }],
        ];
        for (const [what, cookie, event] of forged) {
          const response = await publish(cookie, event);
          expect([what, response.status, ((await response.json()) as { error: string }).error]).toEqual([what, 403, "forbidden"]);
        }
        // What each may do still goes through; the first event the victim receives is the admin's.
        expect((await publish(specialist, { type: "update", data: { id: 8, specialist_id: 3, workpoint_id: 2 }, previous: { workpoint_id: 1 } })).status).toBe(202);
        expect((await publish(supervisor, { type: "delete", data: { id: 9, specialist_id: "3", workpoint_id: "1" } })).status).toBe(202);
        const moved = { type: "update", data: { id: 10, specialist_id: 4, workpoint_id: 2 }, previous: { specialist_id: 3, workpoint_id: 1 } };
        expect((await publish(admin, moved)).status).toBe(202);
        const [received] = await victim.waitForEvents(1, 2000);
        expect(JSON.parse(received?.data ?? "")).toEqual(moved);
        await sleep(100);
        expect(victim.events).toHaveLength(1);
      } finally {
        victim.close();
      }
    });

    it("refuses a sign-in or a publish posted from another site (CSRF)", async () => {
      const login = (headers: Record<string, string>): Promise<Response> =>
        fetch(`${url}/login`, { method: "POST", redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers }, body: "as=admin" });
      for (const headers of [{ Origin: "http://evil.example" }, { Origin: "null" }, { "Sec-Fetch-Site": "cross-site" }, { Origin: url.replace("127.0.0.1", "localhost") }]) {
        const response = await login(headers);
        expect([headers, response.status, response.headers.get("set-cookie")]).toEqual([headers, 403, null]);
      }
      // A browser on the example's own page sends its own origin.
      expect((await login({ Origin: url, "Sec-Fetch-Site": "same-origin" })).status).toBe(303);
      const cookie = await signIn("admin");
      const event = { type: "create", data: { id: 11, specialist_id: 3, workpoint_id: 1 } };
      expect((await publish(cookie, event, { Origin: "http://evil.example" })).status).toBe(403);
      expect((await publish(cookie, event, { Origin: url })).status).toBe(202);
    });

    it("answers 400 for an invalid event", async () => {
      const cookie = await signIn("admin");
      expect((await publish(cookie, { type: "create", data: { id: 1 } })).status).toBe(400);
    });

    it("serves the page and the SDK's <script> bundle", async () => {
      const cookie = await signIn("admin");
      expect(await (await fetch(`${url}/`, { headers: { Cookie: cookie } })).text()).toContain('<script src="/realtime-bookings.js"></script>');
      const sdk = await fetch(`${url}/realtime-bookings.js`);
      expect([sdk.status, (await sdk.text()).includes("RealtimeBookings")]).toEqual([200, true]);
    });
  });

  describe("npm start", () => {
    it("runs the built example with one command on PORT", async () => {
      expect(existsSync(builtMain), "build first: npm run build").toBe(true);
      const port = await freePort();
      const child = spawn(process.execPath, [builtMain], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
      try {
        let out = "";
        child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
        for (let i = 0; i < 100 && !out.includes("listening on"); i++) await sleep(100);
        expect(out).toContain(`listening on http://127.0.0.1:${port}`);
        expect((await fetch(`http://127.0.0.1:${port}/version`)).status).toBe(401);
      } finally {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    });
  });
}
