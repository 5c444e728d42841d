import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DOCUMENTED_COMMANDS, withGeneratedTables } from "../../src/cli/docs.js";
import { flagText, renderHelp } from "../../src/cli/spec.js";

const DOCS = fileURLToPath(new URL("../../docs/cli.md", import.meta.url));

describe("docs/cli.md and --help come from one definition", () => {
  it("the committed docs/cli.md lists exactly the options the CLI has (npm run docs:cli rewrites it)", () => {
    const committed = readFileSync(DOCS, "utf8");
    const generated = withGeneratedTables(committed);
    if (process.env["UPDATE_CLI_DOCS"] === "1") writeFileSync(DOCS, generated);
    else expect(committed, "docs/cli.md is out of date: run `npm run docs:cli` in packages/server").toBe(generated);
  });

  it("every option of every command is in its --help and in the docs", () => {
    const docs = readFileSync(DOCS, "utf8");
    for (const spec of DOCUMENTED_COMMANDS) {
      const help = renderHelp(spec);
      for (const [name, option] of Object.entries(spec.options)) {
        expect(help, `${spec.name} --help`).toContain(flagText(name, option));
        if (name !== "help") expect(docs, `docs/cli.md, ${spec.name}`).toContain(`\`${flagText(name, option)}\``);
      }
    }
  });
});
