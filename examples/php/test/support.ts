import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { requireBinary } from "@realtime-bookings/test-utils";

/** examples/php/ */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The hub CLI, built. */
export const CLI = fileURLToPath(new URL("../../../packages/server/dist/cli/main.js", import.meta.url));
/** The client's <script> bundle, built. */
export const BUNDLE = fileURLToPath(new URL("../../../packages/client/dist/realtime-bookings.global.js", import.meta.url));

/**
 * Whether php-cli with the phpredis extension, and composer, are installed. Like `requireBinary`: in
 * CI a missing piece fails the run with the install command; elsewhere the suite is skipped loudly.
 */
export function hasPhpWithRedis(): boolean {
  if (!requireBinary("php", "apt-get install php-cli php-redis") || !requireBinary("composer", "apt-get install composer")) return false;
  const modules = spawnSync("php", ["-m"], { encoding: "utf8" }).stdout ?? "";
  if (/^redis$/m.test(modules)) return true;
  const message = "php has no redis extension: install it with `apt-get install php-redis`";
  if (process.env["CI"] === "true") throw new Error(`${message} (required in CI)`);
  console.warn(`\n!!! SKIPPING the PHP example tests. ${message}\n`);
  return false;
}

/** Fails with the command that fixes it when the hub CLI has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} does not exist: build the server first (npx turbo run build, or the root npm test's pretest)`);
}

/** A child process the suite owns: its output, and a bounded stop. */
export interface Child {
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts a process and waits (bounded) until `ready(output)` holds; fails with its output if it exits
 * first or takes too long.
 */
export async function startChild(command: string, args: string[], options: { cwd?: string; env?: Record<string, string>; ready: (output: string) => boolean; timeoutMs?: number }): Promise<Child> {
  const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const collect = (chunk: Buffer) => (output += chunk.toString("utf8"));
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const timeoutMs = options.timeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      clearInterval(poll);
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args.join(" ")} was not ready within ${timeoutMs} ms: ${output}`));
    }, timeoutMs);
    const poll = setInterval(() => {
      if (!options.ready(output)) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    }, 20);
    void exited.then(() => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`${command} ${args.join(" ")} exited before it was ready: ${output}`));
    });
  });
  return {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls until `check` holds, failing after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await Promise.resolve().then(check).catch(() => false))) {
    if (Date.now() - started > ms) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A browser as the PHP app sees it: a cookie jar (the PHP session), the page's CSRF token, and the
 * client configuration the page prints for the realtime-bookings script.
 */
export class PhpSession {
  private readonly jar = new Map<string, string>();
  private csrf = "";

  constructor(private readonly base: string) {}

  private remember(response: Response): void {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const at = pair.indexOf("=");
      if (at > 0) this.jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }

  private get cookie(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string): Promise<Response> {
    const response = await fetch(`${this.base}${path}`, { headers: { Cookie: this.cookie }, redirect: "manual", signal: AbortSignal.timeout(5_000) });
    this.remember(response);
    return response;
  }

  /** The page, with the CSRF token remembered for the next form. */
  async page(): Promise<string> {
    const response = await this.get("/");
    if (response.status !== 200) throw new Error(`GET / answered ${response.status}: ${await response.text()}`);
    const html = await response.text();
    this.csrf = /name="csrf" value="([0-9a-f]+)"/.exec(html)?.[1] ?? "";
    return html;
  }

  /** Submits a form of the page; the app answers 303 and the next page shows the message. */
  async submit(form: Record<string, string>): Promise<string> {
    if (!this.csrf) await this.page();
    const response = await fetch(`${this.base}/`, {
      method: "POST",
      headers: { Cookie: this.cookie, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form, csrf: this.csrf }),
      redirect: "manual",
      signal: AbortSignal.timeout(5_000),
    });
    this.remember(response);
    if (response.status !== 303) throw new Error(`POST ${JSON.stringify(form)} answered ${response.status}: ${await response.text()}`);
    const html = await this.page();
    return /<p class="flash" role="status">([^<]*)<\/p>/.exec(html)?.[1] ?? "";
  }

  async signIn(user: string): Promise<void> {
    await this.page();
    await this.submit({ action: "login", user });
  }

  /** The client configuration the page prints (`<script type="application/json" id="rb-config">`). */
  async clientConfig(): Promise<{ streamUrl: string; versionUrl: string; tokenUrl: string; token: string; tokenExpiresAt: number; initialVersion: number }> {
    const html = await this.page();
    const json = /<script type="application\/json" id="rb-config">([^<]*)<\/script>/.exec(html)?.[1];
    if (!json) throw new Error(`the page has no client configuration: ${html}`);
    return JSON.parse(json);
  }
}

/** The claims of a JWT, unverified (the hub verifies). */
export const claimsOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
/** The header of a JWT. */
export const headerOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString());

/** The whole example running: redis-server, the hub CLI on it, and php -S serving the app. */
export interface Stack {
  readonly redis: import("@realtime-bookings/test-utils").RedisServer;
  readonly hubUrl: string;
  readonly phpUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts the example as its README does, each process on a free port: an owned redis-server, the
 * hub (`realtime-bookings serve --redis … --cors-origin <php origin>`) and `php -S … router.php`.
 */
export async function startStack(secret: string): Promise<Stack> {
  const { freePort, startRedisServer } = await import("@realtime-bookings/test-utils");
  requireBuiltCli();
  const redis = await startRedisServer();
  const children: Child[] = [];
  const stop = async () => {
    for (const child of children.reverse()) await child.stop();
    await redis.stop();
  };
  try {
    const [hubPort, phpPort] = [await freePort(), await freePort()];
    const hubUrl = `http://127.0.0.1:${hubPort}`;
    const phpUrl = `http://127.0.0.1:${phpPort}`;
    // The hub runs on another origin than the PHP app and lets the app's pages in with credentials.
    children.push(
      await startChild(process.execPath, [CLI, "serve", "--host", "127.0.0.1", "--port", String(hubPort), "--redis", redis.url, "--cors-origin", phpUrl], {
        env: { REALTIME_BOOKINGS_SECRET: secret },
        ready: (output) => output.includes("listening on"),
      }),
    );
    children.push(
      await startChild("php", ["-S", `127.0.0.1:${phpPort}`, "-t", "public", "router.php"], {
        env: { REDIS_URL: redis.url, REALTIME_BOOKINGS_SECRET: secret, REALTIME_BOOKINGS_HUB_URL: hubUrl },
        ready: (output) => output.includes("Development Server"),
      }),
    );
    await until(async () => (await fetch(`${phpUrl}/`, { signal: AbortSignal.timeout(2_000) })).status === 200, 10_000, "the PHP page to answer");
    return { redis, hubUrl, phpUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
