import { type ParseResult, fail } from "./errors.js";

/** A JSON value as `JSON.parse` returns it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Limits applied to untrusted JSON text before it is trusted.
 */
export interface JsonLimits {
  /**
   * The longest accepted text, in UTF-16 code units (≈ bytes for ASCII JSON).
   * @defaultValue 65536
   */
  readonly maxLength?: number;
  /**
   * The deepest accepted nesting of objects and arrays.
   * @defaultValue 16
   */
  readonly maxDepth?: number;
}

/** The default {@link JsonLimits}: 64 KiB and 16 levels. */
export const DEFAULT_JSON_LIMITS = { maxLength: 65_536, maxDepth: 16 } as const satisfies Required<JsonLimits>;

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Parses untrusted JSON text with a size limit, a depth limit, and no prototype-polluting keys.
 *
 * @param text - the untrusted text
 * @param limits - see {@link JsonLimits}
 * @returns the parsed value, or a `too_large`, `invalid_json`, `too_deep` or `forbidden_key` error
 */
export function safeParseJson(text: string, limits: JsonLimits = {}): ParseResult<JsonValue> {
  const maxLength = limits.maxLength ?? DEFAULT_JSON_LIMITS.maxLength;
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth;
  if (text.length > maxLength) {
    return fail("too_large", `message is ${text.length} characters long; the limit is ${maxLength}`);
  }
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch {
    return fail("invalid_json", "message is not valid JSON");
  }
  // Iterative walk over the objects and arrays only (a deeply nested payload must not overflow the
  // stack), append-only so that a failure's path is built from its parents, and only on failure.
  if (value === null || typeof value !== "object") return { ok: true, value };
  const nodes: JsonValue[] = [value];
  const parents: number[] = [-1];
  const names: Array<string | number> = [""];
  const depths: number[] = [0];
  const pathOf = (at: number, last?: string): string | undefined => {
    const steps: Array<string | number> = last === undefined ? [] : [last];
    for (let i = at; i > 0; i = parents[i] as number) steps.push(names[i] as string | number);
    let path = "";
    for (let k = steps.length - 1; k >= 0; k--) {
      const step = steps[k] as string | number;
      path = typeof step === "number" ? `${path}[${step}]` : path ? `${path}.${step}` : step;
    }
    return path || undefined;
  };
  for (let at = 0; at < nodes.length; at++) {
    const node = nodes[at] as JsonValue[] | JsonObject;
    const depth = depths[at] as number;
    if (depth >= maxDepth) return fail("too_deep", `message nests deeper than ${maxDepth} levels`, pathOf(at));
    const array = Array.isArray(node);
    const keys = array ? undefined : Object.keys(node);
    const count = keys ? keys.length : (node as JsonValue[]).length;
    for (let i = 0; i < count; i++) {
      const name = keys ? (keys[i] as string) : i;
      if (keys && FORBIDDEN_KEYS.has(name as string)) return fail("forbidden_key", `key "${name}" is not allowed`, pathOf(at, name as string));
      const child = (node as Record<string | number, JsonValue>)[name] as JsonValue;
      if (child === null || typeof child !== "object") continue;
      nodes.push(child);
      parents.push(at);
      names.push(name);
      depths.push(depth + 1);
    }
  }
  return { ok: true, value };
}

/** @internal */
export const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
