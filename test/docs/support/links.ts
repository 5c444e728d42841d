import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const idsCache = new Map<string, Set<string>>();
function idsOf(file: string): Set<string> {
  let ids = idsCache.get(file);
  if (!ids) {
    ids = new Set([...readFileSync(file, "utf8").matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1] ?? ""));
    idsCache.set(file, ids);
  }
  return ids;
}

/**
 * The internal links of a rendered site that do not resolve: every `href` and `src` of every HTML
 * page that is not an absolute URL must name an existing file, and a `#fragment` into an HTML page
 * an element with that id. Returns `page → link` strings, empty when every link resolves.
 */
export function brokenLinks(site: string): string[] {
  const broken: string[] = [];
  for (const page of filesUnder(site).filter((f) => f.endsWith(".html"))) {
    const html = readFileSync(page, "utf8");
    for (const match of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      const link = (match[1] ?? "").replace(/&amp;/g, "&");
      if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link === "") continue; // https:, mailto:, data:
      const [path = "", fragment] = link.split("#");
      const target = path === "" ? page : join(dirname(page), decodeURIComponent(path.split("?")[0] ?? ""));
      const ok = existsSync(target) && (!fragment || !target.endsWith(".html") || idsOf(target).has(decodeURIComponent(fragment)));
      if (!ok) broken.push(`${relative(site, page)} → ${link}`);
    }
  }
  return broken;
}
