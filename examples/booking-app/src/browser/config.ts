/** What the server puts in `#rb-config` (see `src/views/page.ts`, `PageConfig`). */
export interface PageConfig {
  readonly streamUrl: string;
  readonly versionUrl: string;
  readonly bookingsUrl: string;
  readonly csrfToken: string;
  readonly initialVersion?: number;
  readonly client: {
    readonly pollIntervalMs: number;
    readonly fallbackAfter: number;
    readonly reconnect: { readonly baseMs: number; readonly maxMs: number };
  };
  readonly defaults: { readonly workpointId?: number; readonly specialistId?: number };
}

/** Reads the page's configuration. */
export function readConfig(doc: Document): PageConfig {
  const text = doc.getElementById("rb-config")?.textContent;
  if (!text) throw new Error("#rb-config is missing");
  return JSON.parse(text) as PageConfig;
}

/** Finds an element the page must have. */
export function must<T extends Element>(root: ParentNode, selector: string): T {
  const el = root.querySelector<T>(selector);
  if (!el) throw new Error(`${selector} is missing from the page`);
  return el;
}
