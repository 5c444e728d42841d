import { type SseReader, openSse } from "@realtime-bookings/test-utils";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BookingApp, createBookingApp } from "../../src/app.js";
import { configFromEnv } from "../../src/config.js";

/** A signed-in demo user, as a browser would be: a cookie and the page's CSRF token. */
export interface Agent {
  readonly login: string;
  readonly cookie: string;
  readonly csrf: string;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** POSTs JSON from this site (same Origin) with the CSRF token. */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Opens the page's SSE stream with this session. */
  stream(): Promise<SseReader>;
}

/** The demo running in this process on a free port with its own SQLite file. */
export interface TestApp {
  readonly app: BookingApp;
  readonly url: string;
  readonly databasePath: string;
  signIn(login: string): Promise<Agent>;
  close(): Promise<void>;
}

const quiet = { info: () => {}, warn: (...args: unknown[]) => console.warn(...args), error: (...args: unknown[]) => console.error(...args) };

/** Reads `#rb-config` out of the bookings page. */
export function pageConfig(page: string): { csrfToken: string; initialVersion?: number } {
  const json = /<script type="application\/json" id="rb-config">(.*?)<\/script>/s.exec(page)?.[1];
  if (!json) throw new Error(`no #rb-config in the page: ${page.slice(0, 200)}`);
  return JSON.parse(json) as { csrfToken: string };
}

/** Signs in at `url` as a demo user. */
export async function signIn(url: string, login: string): Promise<Agent> {
  const response = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: url },
    body: new URLSearchParams({ login }),
  });
  if (response.status !== 303) throw new Error(`sign-in as ${login} answered ${response.status}`);
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const page = await (await fetch(`${url}/`, { headers: { Cookie: cookie } })).text();
  const csrf = pageConfig(page).csrfToken;
  return {
    login,
    cookie,
    csrf,
    get: (path, headers = {}) => fetch(`${url}${path}`, { headers: { Cookie: cookie, ...headers }, redirect: "manual" }),
    post: (path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: { Cookie: cookie, Origin: url, "Content-Type": "application/json", "X-CSRF-Token": csrf, ...headers },
        body: JSON.stringify(body),
      }),
    stream: () => openSse(`${url}/api/bookings/events`, { Cookie: cookie }),
  };
}

/** Starts the demo in this process. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), "booking-app-"));
  const databasePath = join(dir, "bookings.sqlite");
  const app = await createBookingApp(configFromEnv({ DATABASE_PATH: databasePath, ...env }), quiet);
  const url = await app.listen(0, "127.0.0.1");
  return {
    app,
    url,
    databasePath,
    signIn: (login) => signIn(url, login),
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A booking form for `POST /bookings`. */
export function bookingForm(overrides: Record<string, string | number> = {}): Record<string, string | number> {
  return {
    id_work_place: 1,
    id_specialist: 1,
    client_full_name: "Test Client",
    client_phone_nr: "+1 555 0100",
    name_of_service: "Haircut",
    date: "2030-01-07",
    start_time: "19:00",
    end_time: "19:30",
    ...overrides,
  };
}
