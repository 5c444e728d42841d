import { readFileSync } from "node:fs";

/** A fenced TypeScript block of a markdown file. */
export interface CodeBlock {
  /** The markdown file, relative to the repository root. */
  readonly file: string;
  /** The line of the opening fence (1-based). */
  readonly line: number;
  /** `partial` when the fence says so (` ```ts partial `). */
  readonly partial: boolean;
  readonly code: string;
}

const TS_FENCE = /^(\s*)(`{3,}|~{3,})\s*(ts|typescript|tsx|mts)(?:\s+(.*))?$/;

/**
 * The TypeScript blocks of a markdown file. The convention for the fence's info string:
 * ` ```ts ` is a complete module that must type-check as it stands; ` ```ts partial ` is an excerpt
 * that uses names of the reader's own app (`sessions`, `db`…): names it does not declare are allowed,
 * everything else (our imports, calls, option names and types) is still checked.
 */
export function typescriptBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(`${root}${file}`, "utf8").split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = TS_FENCE.exec(lines[i] ?? "");
    if (!open) continue;
    const [, indent = "", fence = "```", , info = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? "").trim().startsWith(fence); j++) body.push((lines[j] ?? "").slice(indent.length));
    blocks.push({ file, line: i + 1, partial: info.split(/\s+/).includes("partial"), code: body.join("\n") });
    i = j;
  }
  return blocks;
}
