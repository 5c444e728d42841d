#!/usr/bin/env node
/**
 * `realtime-bookings`: the standalone push hub for apps that are not written in Node.
 * `serve` runs the hub, `publish` publishes a booking change, `token` signs a viewer token.
 */
import { readFileSync, realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Env, RunError, UsageError } from "./args.js";
import { publish } from "./publish.js";
import { serve } from "./serve.js";
import { token } from "./token.js";

const MAIN_HELP = `Usage: realtime-bookings <command> [options]

The standalone push hub of realtime-bookings: browsers get booking changes over Server-Sent
Events the instant an app (PHP or any language) publishes them to Redis.

Commands:
  serve      run the hub over HTTP: GET /events, /version, /healthz, /metrics
  publish    publish a booking change through Redis with the atomic publish script
  token      sign a viewer token (HS256) for trying the hub

Run realtime-bookings <command> --help for a command's options.
Protocol (for publishers and hubs in other languages): docs/protocol.md
`;

const COMMANDS: Record<string, (args: readonly string[], env: Env) => Promise<number>> = { serve, publish, token };

function version(): string {
  try {
    const entry = process.argv[1];
    if (!entry) return "unknown";
    const pkg = JSON.parse(readFileSync(join(dirname(realpathSync(entry)), "..", "..", "package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(MAIN_HELP);
    return 2;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(MAIN_HELP);
    return 0;
  }
  if (command === "--version" || command === "-v") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`realtime-bookings: unknown command ${JSON.stringify(command)} (commands: serve, publish, token; see realtime-bookings --help)\n`);
    return 2;
  }
  try {
    return await run(rest, process.env);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`realtime-bookings ${command}: ${error.message} (see realtime-bookings ${command} --help)\n`);
      return 2;
    }
    if (error instanceof RunError) {
      process.stderr.write(`realtime-bookings ${command}: ${error.message}\n`);
      return 1;
    }
    process.stderr.write(`realtime-bookings ${command}: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit once stdout and stderr have drained; a handle left behind cannot keep the process alive.
    process.exitCode = code;
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (error: unknown) => {
    process.stderr.write(`realtime-bookings: ${String(error)}\n`);
    process.exit(1);
  },
);
