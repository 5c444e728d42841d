/**
 * The one definition of every command-line option: `--help`, the parser's configuration, the
 * bounds of whole-number options and `docs/cli.md` are all derived from a {@link CommandSpec}, so
 * they cannot drift apart.
 */
import { UsageError, parseFlags } from "./args.js";

/** One option of a command. @internal */
export interface OptionSpec {
  /** The heading it is listed under in `--help` and in the docs. */
  readonly group: string;
  /** The value's placeholder, e.g. `<url>`; absent for a flag that takes no value. */
  readonly value?: string;
  /** The option may be given several times. */
  readonly multiple?: true;
  /** A one-letter alias. */
  readonly short?: string;
  /** The environment variable read when the option is not given. */
  readonly env?: string;
  /** Whole-number options: bounds, and the default when it is a plain number. */
  readonly integer?: { readonly min: number; readonly max: number; readonly default?: number };
  /** The default as shown to people, when it is not {@link OptionSpec.integer}'s number. */
  readonly default?: string;
  /** What it does, for `--help`: plain text, wrapped to the terminal's 100 columns. */
  readonly help: string;
  /** A longer description for `docs/cli.md` (Markdown); `help` is used when absent. */
  readonly docs?: string;
}

/** A command: its usage line, what it does, its options and what follows them. @internal */
export interface CommandSpec<O extends Record<string, OptionSpec> = Record<string, OptionSpec>> {
  readonly name: "serve" | "publish" | "token";
  readonly usage: string;
  /** Paragraphs between the usage line and the options (plain text, already wrapped). */
  readonly intro: string;
  readonly options: O;
  /** Text after the options: notes and examples (plain text, already wrapped). */
  readonly outro: string;
}

/** What the parser returns for a command's options. @internal */
export type OptionValues<O extends Record<string, OptionSpec>> = {
  -readonly [K in keyof O]?: O[K] extends { value: string } ? (O[K] extends { multiple: true } ? string[] : string) : boolean;
};

/** Declares a command, keeping its option names as literal types. @internal */
export const defineCommand = <O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): CommandSpec<O> => spec;

/** Parses a command's arguments (strict, no positionals); a mistake is a one-line {@link UsageError}. @internal */
export function parseCommand<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, args: readonly string[]): OptionValues<O> {
  const config: Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }> = {};
  for (const [name, option] of Object.entries(spec.options)) {
    config[name] = {
      type: option.value === undefined ? "boolean" : "string",
      ...(option.multiple ? { multiple: true } : {}),
      ...(option.short === undefined ? {} : { short: option.short }),
    };
  }
  return parseFlags(args, config) as OptionValues<O>;
}

/**
 * A whole-number option within its declared bounds: the flag, else its environment variable, else
 * `fallback` (or the declared default). @internal
 */
export function integerOption<O extends Record<string, OptionSpec>>(
  spec: CommandSpec<O>,
  name: keyof O & string,
  raw: string | undefined,
  fallback?: number,
): number {
  const bounds = spec.options[name]?.integer;
  const fallbackValue = fallback ?? bounds?.default;
  if (!bounds || fallbackValue === undefined) throw new Error(`--${name} is not a whole-number option with a default`);
  if (raw === undefined) return fallbackValue;
  if (!/^\d+$/.test(raw)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(raw)}`);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) throw new UsageError(`--${name} must be between ${bounds.min} and ${bounds.max}, got ${raw}`);
  return value;
}

/** `--name <value>` and `-h, --help`, as listed. @internal */
export const flagText = (name: string, option: OptionSpec): string =>
  `${option.short === undefined ? "" : `-${option.short}, `}--${name}${option.value === undefined ? "" : ` ${option.value}`}`;

/** The default as shown to people, or `undefined` when there is none. @internal */
export const defaultText = (option: OptionSpec): string | undefined => option.default ?? (option.integer?.default === undefined ? undefined : String(option.integer.default));

const WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/** The `--help` text of a command. @internal */
export function renderHelp(spec: CommandSpec): string {
  const entries = Object.entries(spec.options);
  const column = Math.max(...entries.map(([name, option]) => flagText(name, option).length)) + 4;
  const groups = new Map<string, string[]>();
  for (const [name, option] of entries) {
    const notes = [option.env && `env ${option.env}`, defaultText(option) !== undefined && `default ${defaultText(option)}`].filter(Boolean);
    const text = notes.length ? `${option.help} (${notes.join("; ")})` : option.help;
    const [first = "", ...rest] = wrap(text, WIDTH - column);
    const lines = [`  ${flagText(name, option).padEnd(column - 2)}${first}`, ...rest.map((l) => `${" ".repeat(column)}${l}`)];
    groups.set(option.group, [...(groups.get(option.group) ?? []), ...lines]);
  }
  const body = [...groups].map(([group, lines]) => (group ? `${group}:\n` : "") + lines.join("\n")).join("\n\n");
  return `Usage: ${spec.usage}\n\n${spec.intro.trim()}\n\n${body}\n\n${spec.outro.trim()}\n`;
}
