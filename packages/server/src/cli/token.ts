import type { Viewer } from "@realtime-bookings/protocol";
import { randomUUID } from "node:crypto";
import { signViewerToken } from "../auth/sign.js";
import { HubError } from "../errors.js";
import { type Env, UsageError, firstSet, idValue, integer, parseFlags, readSecretFile } from "./args.js";
import { cliLogger } from "./log.js";

/** The text of `realtime-bookings token --help`. @internal */
export const TOKEN_HELP = `Usage: realtime-bookings token --role <role> [--specialist <id> | --workpoint <id>] [options]

Signs a viewer token (HS256 JWT) for trying the hub with curl or a test page. Apps sign their own
tokens (see docs/protocol.md); this prints one to stdout.

  --role <role>           admin, supervisor or specialist
  --specialist <id>       the specialist (role specialist)
  --workpoint <id>        the workpoint (role supervisor)
  --sub <user>            the sub claim: the signed-in user (connection caps count by it;
                          default: a fresh cli-<uuid>, so two tokens never share a cap)
  --ttl <seconds>         lifetime (default 900)
  --secret <secret>       the hub's secret (env REALTIME_BOOKINGS_SECRET)
  --secret-file <path>    read the secret from a file
  --issuer <iss>          the iss claim (for a hub started with --issuer)
  --audience <aud>        the aud claim (for a hub started with --audience)
  -h, --help              show this help

Example:
  curl -N -H "Authorization: Bearer $(realtime-bookings token --role specialist --specialist 3)" \\
    http://127.0.0.1:8080/events
`;

const OPTIONS = {
  role: { type: "string" },
  specialist: { type: "string" },
  workpoint: { type: "string" },
  sub: { type: "string" },
  ttl: { type: "string" },
  secret: { type: "string" },
  "secret-file": { type: "string" },
  issuer: { type: "string" },
  audience: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * `realtime-bookings token`: prints a signed viewer token.
 *
 * @returns the exit status
 * @internal
 */
export async function token(args: readonly string[], env: Env): Promise<number> {
  const flags = parseFlags(args, OPTIONS);
  if (flags.help) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  let viewer: Viewer;
  switch (flags.role) {
    case "admin":
      viewer = { role: "admin" };
      break;
    case "supervisor":
      if (flags.workpoint === undefined) throw new UsageError("--role supervisor needs --workpoint <id>");
      viewer = { role: "supervisor", workpoint_id: idValue(flags.workpoint) };
      break;
    case "specialist":
      if (flags.specialist === undefined) throw new UsageError("--role specialist needs --specialist <id>");
      viewer = { role: "specialist", specialist_id: idValue(flags.specialist) };
      break;
    case undefined:
      throw new UsageError("--role is required (admin, supervisor or specialist)");
    default:
      throw new UsageError(`--role must be admin, supervisor or specialist, got ${JSON.stringify(flags.role)}`);
  }
  if (flags.secret !== undefined && flags["secret-file"] !== undefined) throw new UsageError("give --secret or --secret-file, not both");
  const secret = flags["secret-file"] !== undefined ? readSecretFile("--secret-file", flags["secret-file"], (m) => cliLogger.warn(m)) : firstSet(flags.secret, env["REALTIME_BOOKINGS_SECRET"]);
  if (secret === undefined) throw new UsageError("--secret (or REALTIME_BOOKINGS_SECRET, --secret-file) is required");
  const expiresInSec = integer("--ttl", flags.ttl, 900, 1, 31_536_000);
  try {
    // Always a sub (and a jti when the sub is made up): a token without them would share one
    // connection cap with every other token of the same scope.
    const subject = flags.sub ?? `cli-${randomUUID()}`;
    const jwtId = flags.sub === undefined ? randomUUID() : undefined;
    const jwt = await signViewerToken(viewer, { secret, expiresInSec, subject, jwtId, issuer: flags.issuer, audience: flags.audience });
    process.stdout.write(`${jwt}\n`);
  } catch (error) {
    if (error instanceof HubError) throw new UsageError(error.message.replace(/^invalid viewer: (specialist_id|workpoint_id)/, (_, f: string) => `--${f.split("_")[0]}`));
    throw error;
  }
  return 0;
}
