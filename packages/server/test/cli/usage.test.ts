import { afterAll, describe, expect, it } from "vitest";
import { SECRET, killChildren, runCli } from "./support/cli.js";

// Every run waits for its process (killed past its timeout); this only sweeps after a failure.
afterAll(killChildren);

/** One line on stderr, nothing on stdout, the given exit status. */
const oneLineError = (result: { code: number | null; stdout: string; stderr: string }) => ({
  code: result.code,
  stdout: result.stdout,
  lines: result.stderr.trimEnd().split("\n").length,
});

describe.concurrent("realtime-bookings usage", () => {
  it("prints help for the CLI and for each command, exit 0", async () => {
    const [main, serve, publish, token] = await Promise.all([
      runCli(["--help"]),
      runCli(["serve", "--help"]),
      runCli(["publish", "-h"]),
      runCli(["token", "--help"]),
    ]);
    expect([main.code, main.stdout]).toEqual([0, expect.stringContaining("Usage: realtime-bookings <command>")]);
    expect([serve.code, serve.stdout]).toEqual([0, expect.stringContaining("Usage: realtime-bookings serve")]);
    for (const flag of ["--port", "--redis", "--channel", "--secret", "--cors-origin", "--path-prefix", "--public-key", "--max-connections-per-viewer"]) {
      expect(serve.stdout).toContain(flag);
    }
    expect([publish.code, publish.stdout]).toEqual([0, expect.stringContaining("Usage: realtime-bookings publish")]);
    expect([token.code, token.stdout]).toEqual([0, expect.stringContaining("Usage: realtime-bookings token")]);
  });

  it("prints the version", async () => {
    const result = await runCli(["--version"]);
    expect([result.code, result.stdout]).toEqual([0, expect.stringMatching(/^\d+\.\d+\.\d+/)]);
  });

  it.each([
    [["serve", "--bogus"], "unknown option --bogus"],
    [["serve", "--port", "abc", "--secret", SECRET], '--port must be a whole number, got "abc"'],
    [["serve", "--port", "70000", "--secret", SECRET], "--port must be between 0 and 65535"],
    [["serve", "--port"], "--port needs a value"],
    [["serve", "stray"], "unexpected argument 'stray'"],
    [["serve"], "viewer tokens need a key"],
    [["serve", "--secret", "short"], "the secret is 5 bytes; HS256 needs at least 32"],
    [["serve", "--secret", SECRET, "--algorithms", "none"], "algorithm none is not supported"],
    [["serve", "--secret", SECRET, "--algorithms", "RS256"], "algorithm RS256 cannot be verified"],
    [["serve", "--secret", SECRET, "--cors-origin", "*"], "--cors-origin * is not allowed with credentials"],
    [["serve", "--secret", SECRET, "--cors-origin", "https://app.example/"], "--cors-origin must be exactly scheme://host[:port]"],
    [["serve", "--secret", SECRET, "--path-prefix", "realtime"], "--path-prefix must be a path such as /realtime"],
    [["serve", "--secret", SECRET, "--channel", "bookings updates"], "channel must be 1-128 characters"],
    [["serve", "--secret", SECRET, "--redis", "http://127.0.0.1:6379"], "--redis must start with redis:// or rediss://"],
    [["serve", "--secret", SECRET, "--max-connections-per-viewer", "0"], "--max-connections-per-viewer must be between 1"],
    [["serve", "--secret", SECRET, "--public-key", "/nonexistent.pem"], "--public-key: cannot read /nonexistent.pem (ENOENT)"],
    [["publish", "--id", "1"], "--type is required"],
    [["publish", "--type", "cancel", "--id", "1", "--specialist", "3", "--workpoint", "1", "--redis", "redis://127.0.0.1:1"], "type must be one of"],
    [["publish", "--type", "create", "--id", "42", "--specialist", "3"], "--workpoint is required for --type create"],
    [["publish", "--type", "create", "--id", "42", "--specialist", "1:2", "--workpoint", "1", "--redis", "redis://127.0.0.1:1"], "--specialist must be a non-negative integer"],
    [["publish", "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1", "--data", "[1]", "--redis", "redis://127.0.0.1:1"], "--data must be a JSON object"],
    [["publish", "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1"], "Redis is required"],
    [["token", "--role", "boss", "--secret", SECRET], "--role must be admin, supervisor or specialist"],
    [["token", "--role", "specialist", "--secret", SECRET], "--role specialist needs --specialist"],
    [["frobnicate"], 'unknown command "frobnicate"'],
  ])("%j: one-line error, exit 2", async (args, message) => {
    const result = await runCli(args);
    expect(oneLineError(result)).toEqual({ code: 2, stdout: "", lines: 1 });
    expect(result.stderr).toContain(message);
  });

  it("a Redis that cannot be reached fails publish in bounded time with exit 1", async () => {
    const started = Date.now();
    const result = await runCli(["publish", "--type", "create", "--id", "42", "--specialist", "3", "--workpoint", "1", "--redis", "redis://127.0.0.1:1"]);
    expect(oneLineError(result)).toEqual({ code: 1, stdout: "", lines: 1 });
    expect(result.stderr).toContain("cannot reach Redis at redis://127.0.0.1:1");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("a port already in use is a one-line error, exit 1", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(["serve", "--port", String(port), "--host", "127.0.0.1", "--secret", SECRET]);
      expect(oneLineError(result)).toEqual({ code: 1, stdout: "", lines: 1 });
      expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("token prints a JWT with the role's claims only", async () => {
    const result = await runCli(["token", "--role", "specialist", "--specialist", "3", "--workpoint", "9", "--sub", "user-7", "--ttl", "60"], {
      env: { REALTIME_BOOKINGS_SECRET: SECRET },
    });
    expect(result.code).toBe(0);
    const [, payload] = result.stdout.trim().split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as Record<string, unknown>;
    expect({ ...claims, exp: (claims["exp"] as number) - (claims["iat"] as number), iat: 0 }).toEqual({
      role: "specialist",
      specialist_id: 3,
      sub: "user-7",
      iat: 0,
      exp: 60,
    });
  });
});
