// Every TypeScript block of the READMEs and guides, type-checked against the current packages (their
// built types, as an installed package gives them) with the repository's strict settings
// (strict, noUncheckedIndexedAccess, exactOptionalPropertyTypes). Each block is its own ES module.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CodeBlock, typescriptBlocks } from "./support/code-blocks.js";
import { root } from "./support/run.js";

/** The markdown a reader copies code from. */
const SOURCES = [
  "README.md",
  ...["protocol", "server", "client"].map((name) => `packages/${name}/README.md`),
  "packages/server/docs/cli.md",
  ...readdirSync(`${root}docs`).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`),
  ...readdirSync(`${root}examples`).map((name) => `examples/${name}/README.md`).filter((f) => {
    try {
      return readdirSync(`${root}${f.replace(/README\.md$/, "")}`).includes("README.md");
    } catch {
      return false;
    }
  }),
];
/** "Cannot find name" errors, allowed in blocks marked `partial` (the reader's own app's names). */
// (and the implicit `any` of a callback handed to such a name).
const FREE_NAME_ERRORS = new Set(["TS2304", "TS2552", "TS2580", "TS2582", "TS7006", "TS7031"]);

const work = mkdtempSync(join(tmpdir(), "rb-docs-blocks-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function typecheck(blocks: readonly CodeBlock[]): string[] {
  symlinkSync(join(root, "node_modules"), join(work, "node_modules"));
  writeFileSync(join(work, "package.json"), JSON.stringify({ type: "module" }));
  const names = blocks.map((block, i) => {
    const name = `block-${i}.ts`;
    writeFileSync(join(work, name), `${block.code}\nexport {};\n`);
    return name;
  });
  writeFileSync(
    join(work, "tsconfig.json"),
    JSON.stringify({
      extends: join(root, "tsconfig.base.json"),
      compilerOptions: { lib: ["ES2023", "DOM", "DOM.Iterable"], types: ["node"], typeRoots: [join(root, "node_modules/@types")], noEmit: true },
      files: names,
    }),
  );
  const run = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--pretty", "false"], { cwd: work, encoding: "utf8", timeout: 110_000 });
  const errors: string[] = [];
  for (const line of `${run.stdout}${run.stderr}`.split("\n")) {
    const m = /^block-(\d+)\.ts\((\d+),\d+\): error (TS\d+): (.*)$/.exec(line);
    if (!m) {
      if (line.trim()) errors.push(line);
      continue;
    }
    const block = blocks[Number(m[1])];
    if (!block || (block.partial && FREE_NAME_ERRORS.has(m[3] ?? ""))) continue;
    errors.push(`${block.file}:${block.line + Number(m[2])} ${m[3]} ${m[4]}`);
  }
  return errors;
}

describe("the TypeScript blocks of the READMEs and guides", () => {
  const blocks = SOURCES.flatMap((file) => typescriptBlocks(root, file));

  it("are found in the READMEs and the getting-started guide, most of them complete", () => {
    const files = new Set(blocks.map((b) => b.file));
    for (const file of ["README.md", "packages/server/README.md", "packages/client/README.md", "docs/getting-started.md"]) expect(files).toContain(file);
    expect(blocks.filter((b) => !b.partial).length).toBeGreaterThanOrEqual(5);
  });

  it("type-check against the current packages with the strict config (partial blocks may use the app's own names)", () => {
    expect(typecheck(blocks)).toEqual([]);
  });
});
