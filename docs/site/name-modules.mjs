// A typedoc plugin for the docs site (typedoc.json "plugin"): names each entry point of a package by
// the import path users write, read from the package's `exports` ("./ioredis" → ./dist/brokers/ioredis.js
// → the module typedoc calls "brokers/ioredis" becomes "@realtime-bookings/server/ioredis").
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Application, Converter, ReflectionKind, normalizePath } from "typedoc";

/** Module name as typedoc derives it from the source path → import path, for one package directory. */
function importPaths(dir) {
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const paths = new Map();
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const file = typeof target === "string" ? target : (target.import?.default ?? target.default);
    const match = typeof file === "string" ? /^\.\/dist\/(.+)\.js$/.exec(file) : null;
    if (match?.[1]) paths.set(match[1], subpath === "." ? manifest.name : `${manifest.name}${subpath.slice(1)}`);
  }
  return paths;
}

/** Import paths of every workspace package under packages/, by package name. */
function workspacePackages(root) {
  const byName = new Map();
  for (const entry of readdirSync(join(root, "packages"), { withFileTypes: true })) {
    const dir = join(root, "packages", entry.name);
    if (!entry.isDirectory() || !existsSync(join(dir, "package.json"))) continue;
    byName.set(JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).name, { dir, paths: importPaths(dir) });
  }
  return byName;
}

/** @param {import("typedoc").Application} app */
export function load(app) {
  const packages = workspacePackages(process.cwd());
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const paths = packages.get(context.project.name)?.paths;
    for (const child of context.project.children ?? []) {
      const name = child.kindOf(ReflectionKind.Module) ? paths?.get(child.name) : undefined;
      if (name) child.name = name;
    }
  });
  // Once the packages are merged into one site: a link to a package's README.md (from the root README
  // or a guide) leads to that package's page instead of a copy of the raw file; a guide without a
  // `title` in its front matter (docs/protocol.md…) is named by its first heading, not its file path.
  app.on(Application.EVENT_PROJECT_REVIVE, (project) => {
    for (const child of project.children ?? []) {
      const pkg = packages.get(child.name);
      if (pkg) project.files.registerReflectionPath(normalizePath(join(pkg.dir, "README.md")), child);
    }
    for (const document of project.documents ?? []) {
      // typedoc names a document by its `title`, else by its path ("docs/protocol").
      document.frontmatter.group ??= "Guides";
      if (!document.name.includes("/")) continue;
      const text = document.content.map((part) => part.text).join("").replace(/^(```|~~~)[^]*?^\1/gm, "");
      const heading = /^#{1,6}\s+(.+)$/m.exec(text)?.[1]?.replace(/[`*_]/g, "").trim();
      if (heading) document.name = heading;
    }
  });
}
