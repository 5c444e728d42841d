import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRET, type ServeProcess, bearer, killChildren, runCli, startServe, viewerToken } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "rb-aud-"));
afterAll(async () => {
  await killChildren();
  rmSync(dir, { recursive: true, force: true });
});

const payloadOf = (jwt: string): Record<string, unknown> => JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;

/** The status and reason of a stream request (the body is read only when it is a refusal). */
async function answer(url: string, token: string): Promise<[number, string]> {
  const controller = new AbortController();
  const response = await fetch(url, { headers: bearer(token), signal: controller.signal });
  const reason = response.status === 200 ? "stream" : ((await response.json()) as { error: string }).error;
  controller.abort();
  return [response.status, reason];
}

describe("realtime-bookings: --audience / --issuer and secret files", () => {
  let hub: ServeProcess;
  const secretFile = join(dir, "open-secret");
  beforeAll(async () => {
    writeFileSync(secretFile, `${SECRET}\n`);
    chmodSync(secretFile, 0o644);
    hub = await startServe(["--secret-file", secretFile, "--audience", "hub-a", "--issuer", "https://app.example"]);
  });

  it("warns once, on the log, that a secret file others can read should be chmod 600, and not for a private one", async () => {
    const warnings = hub.stderr().split("\n").filter((line) => line.includes("--secret-file"));
    expect(warnings).toEqual([`[realtime-bookings] warning: --secret-file ${secretFile} is readable by every user (mode 644); restrict it: chmod 600 ${secretFile}`]);
    expect(hub.stderr()).not.toContain(SECRET);
    const privateFile = join(dir, "private-secret");
    writeFileSync(privateFile, SECRET, { mode: 0o600 });
    const minted = await runCli(["token", "--role", "admin", "--secret-file", privateFile]);
    expect([minted.code, minted.stderr]).toEqual([0, ""]);
    const fromOpen = await runCli(["token", "--role", "admin", "--secret-file", secretFile]);
    expect([fromOpen.code, fromOpen.stderr.trim().split("\n").length, fromOpen.stderr]).toEqual([0, 1, expect.stringContaining("chmod 600")]);
  });

  it("token --audience/--issuer writes aud and iss, and always a sub and a jti", async () => {
    const minted = await runCli(["token", "--role", "supervisor", "--workpoint", "1", "--secret", SECRET, "--audience", "hub-a", "--issuer", "https://app.example"]);
    expect(minted.code).toBe(0);
    expect(payloadOf(minted.stdout.trim())).toEqual({
      role: "supervisor",
      workpoint_id: 1,
      aud: "hub-a",
      iss: "https://app.example",
      sub: expect.stringMatching(/^cli-[0-9a-f-]{36}$/),
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect(await answer(`${hub.url}/events`, minted.stdout.trim())).toEqual([200, "stream"]);
  });

  it("refuses tokens without the audience or issuer, or with other ones, as token_claims", async () => {
    const tokens = await Promise.all([
      viewerToken({ role: "admin" }),
      viewerToken({ role: "admin", iss: "https://app.example" }),
      viewerToken({ role: "admin", aud: "hub-a" }),
      viewerToken({ role: "admin", aud: "hub-b", iss: "https://app.example" }),
      viewerToken({ role: "admin", aud: "hub-a", iss: "https://evil.example" }),
      viewerToken({ role: "admin", aud: "hub-a", iss: "https://app.example" }),
    ]);
    const answers = [];
    for (const token of tokens) answers.push(await answer(`${hub.url}/events`, token));
    expect(answers).toEqual([
      [401, "token_claims"],
      [401, "token_claims"],
      [401, "token_claims"],
      [401, "token_claims"],
      [401, "token_claims"],
      [200, "stream"],
    ]);
  });
});
