/**
 * Renders the option tables of `docs/cli.md` from the same {@link CommandSpec}s as `--help`.
 * `npm run docs:cli` (in packages/server) rewrites the generated blocks; a test fails when the
 * committed file differs from what this renders.
 */
import { type CommandSpec, defaultText, flagText } from "./spec.js";
import { PUBLISH } from "./spec-publish.js";
import { SERVE } from "./spec-serve.js";
import { TOKEN } from "./spec-token.js";

/** Every command whose options `docs/cli.md` lists. @internal */
export const DOCUMENTED_COMMANDS: readonly CommandSpec[] = [SERVE, PUBLISH, TOKEN];

/** A table cell: pipes escaped, and `<`/`>` outside code spans escaped so Markdown shows them. */
const cell = (text: string): string =>
  text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("")
    .replace(/\|/g, "\\|")
    .replace(/\n/g, " ");
const code = (text: string): string => `\`${text}\``;

/** The Markdown table of a command's options. @internal */
export function optionsTable(spec: CommandSpec): string {
  const rows = Object.entries(spec.options)
    .filter(([name]) => name !== "help")
    .map(([name, option]) => {
      const fallback = defaultText(option);
      const bounds = option.integer ? ` (${option.integer.min}–${option.integer.max})` : "";
      return `| ${code(flagText(name, option))} | ${option.env ? code(option.env) : ""} | ${fallback === undefined ? "" : /\s/.test(fallback) ? cell(fallback) : code(fallback)} | ${cell(option.docs ?? option.help)}${bounds} |`;
    });
  return ["| Option | Environment | Default | |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const begin = (name: string): string => `<!-- options of ${name}: generated from src/cli/spec-${name}.ts by \`npm run docs:cli\`; do not edit -->`;
const END = "<!-- end of generated options -->";

/**
 * `markdown` with the generated block of every command replaced by a fresh rendering.
 * @throws Error when a command's markers are missing
 * @internal
 */
export function withGeneratedTables(markdown: string): string {
  let text = markdown;
  for (const spec of DOCUMENTED_COMMANDS) {
    const start = text.indexOf(begin(spec.name));
    const end = start < 0 ? -1 : text.indexOf(END, start);
    if (start < 0 || end < 0) throw new Error(`docs/cli.md has no generated block for ${spec.name}: add the lines\n${begin(spec.name)}\n${END}`);
    text = `${text.slice(0, start)}${begin(spec.name)}\n${optionsTable(spec)}\n${text.slice(end)}`;
  }
  return text;
}
