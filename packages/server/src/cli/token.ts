import type { Viewer } from "@realtime-bookings/protocol";
import { randomUUID } from "node:crypto";
import { signPublisherToken } from "../auth/publisher-authorizer.js";
import { signViewerToken } from "../auth/sign.js";
import { HubError } from "../errors.js";
import { type Env, UsageError, firstSet, idValue, readSecretFile } from "./args.js";
import { type OptionValues, integerOption, parseCommand, renderHelp } from "./spec.js";
import { TOKEN } from "./spec-token.js";
import { cliLogger } from "./log.js";

/**
 * `realtime-bookings token`: prints a signed viewer token.
 *
 * @returns the exit status
 * @internal
 */
export async function token(args: readonly string[], env: Env): Promise<number> {
  const flags = parseCommand(TOKEN, args);
  if (flags.help) {
    process.stdout.write(renderHelp(TOKEN));
    return 0;
  }
  if (flags.publisher) return publisherToken(flags, env);
  if (flags.workpoints !== undefined) throw new UsageError("--workpoints goes with --publisher");
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
  const secret = secretOf(flags, env);
  const expiresInSec = integerOption(TOKEN, "ttl", flags.ttl);
  try {
    // Always a sub (and a jti when the sub is made up): a token without them would share one
    // connection cap with every other token of the same scope.
    if (flags.sub !== undefined && (flags.sub.length === 0 || flags.sub.length > 256)) throw new UsageError("--sub must be 1-256 characters (hubs refuse other subs)");
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

function secretOf(flags: OptionValues<typeof TOKEN.options>, env: Env): string {
  if (flags.secret !== undefined && flags["secret-file"] !== undefined) throw new UsageError("give --secret or --secret-file, not both");
  const secret = flags["secret-file"] !== undefined ? readSecretFile("--secret-file", flags["secret-file"], (m) => cliLogger.warn(m)) : firstSet(flags.secret, env["REALTIME_BOOKINGS_SECRET"]);
  if (secret === undefined) throw new UsageError("--secret (or REALTIME_BOOKINGS_SECRET, --secret-file) is required");
  return secret;
}

/** `token --publisher`: a token that may POST /publish (never watch a stream). */
async function publisherToken(flags: OptionValues<typeof TOKEN.options>, env: Env): Promise<number> {
  if (flags.role !== undefined) throw new UsageError("--publisher mints a token without a role: leave out --role");
  const workpoints = flags.workpoints?.split(",").map((w) => w.trim()).filter(Boolean).map(idValue);
  try {
    const jwt = await signPublisherToken({
      secret: secretOf(flags, env),
      expiresInSec: integerOption(TOKEN, "ttl", flags.ttl),
      workpoints,
      subject: flags.sub,
      issuer: flags.issuer,
      audience: flags.audience,
    });
    process.stdout.write(`${jwt}\n`);
  } catch (error) {
    if (error instanceof HubError) throw new UsageError(error.message);
    throw error;
  }
  return 0;
}
