import { readFileSync, statSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";

/**
 * A mistake in the command line: the CLI prints its message as one line, points at `--help`, and
 * exits with status 2. @internal
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A failure while running a valid command (Redis unreachable, port taken): exit status 1. @internal */
export class RunError extends Error {
  override readonly name = "RunError";
}

/** The environment variables the CLI reads. @internal */
export type Env = Readonly<Record<string, string | undefined>>;

function describe(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = String(message ?? error);
  const option = /'([^']+)'/.exec(text)?.[1]?.replace(/ <value>$/, "");
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${option ?? text}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${option === undefined ? text : `'${option}'`}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (text.includes("argument missing")) return `${option} needs a value`;
      if (text.includes("does not take an argument")) return `${option} takes no value`;
      if (text.includes("ambiguous")) return `the value of ${option} starts with "-": write ${option?.split(", ").pop()}=<value>`;
      return text.split(". ")[0] ?? text;
    default:
      return text.split(". ")[0] ?? text;
  }
}

/**
 * `util.parseArgs` in strict mode, with no positionals, whose errors become one-line
 * {@link UsageError}s. @internal
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig["options"]>>(
  args: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>["values"] {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(describe(error));
  }
}

/** The first value that is set and not empty: flags first, then environment variables. @internal */
export const firstSet = (...values: Array<string | undefined>): string | undefined => values.find((v) => v !== undefined && v !== "");

/** Reads a small file a flag names (a secret, a key), without its trailing newline. @internal */
export function readSmallFile(name: string, path: string): string {
  try {
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    throw new UsageError(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const warnedSecretFiles = new Set<string>();

/**
 * Reads a secret file like {@link readSmallFile}, and warns once per file (to `warn`, the CLI log)
 * when other users may read it: a secret readable by group or others is not a secret. The warning
 * says how to fix it and never shows the secret. @internal
 */
export function readSecretFile(name: string, path: string, warn: (message: string) => void): string {
  const secret = readSmallFile(name, path);
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077 && !warnedSecretFiles.has(path)) {
      warnedSecretFiles.add(path);
      warn(`[realtime-bookings] warning: ${name} ${path} is readable by ${mode & 0o007 ? "every user" : "its group"} (mode ${mode.toString(8).padStart(3, "0")}); restrict it: chmod 600 ${path}`);
    }
  } catch {
    // The file was just read; a failing stat (a race, a special file) is no reason to refuse it.
  }
  return secret;
}

/**
 * An exact browser origin (`https://app.example.com`, `http://localhost:8000`): scheme, host and
 * port only. `*` is refused: with credentials, an origin must be named. @internal
 */
export function exactOrigin(raw: string): string {
  if (raw === "*") throw new UsageError("--cors-origin * is not allowed with credentials; name each origin, e.g. --cors-origin https://app.example.com");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--cors-origin must be an origin such as https://app.example.com, got ${JSON.stringify(raw)}`);
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== raw) {
    throw new UsageError(`--cors-origin must be exactly scheme://host[:port] with no path or trailing slash, e.g. ${url.origin}, got ${JSON.stringify(raw)}`);
  }
  return raw;
}

/** An id flag as JSON: digits become a number, as the seed's PHP publishes them; `42` and `"42"` are the same id. @internal */
export const idValue = (raw: string): string | number => (/^(0|[1-9]\d{0,14})$/.test(raw) ? Number(raw) : raw);
