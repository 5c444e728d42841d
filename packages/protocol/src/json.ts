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
  // Iterative walk: a deeply nested payload must not overflow the stack.
  const stack: Array<{ value: JsonValue; path: string; depth: number }> = [{ value, path: "", depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (item.value === null || typeof item.value !== "object") continue;
    if (item.depth >= maxDepth) return fail("too_deep", `message nests deeper than ${maxDepth} levels`, item.path || undefined);
    if (Array.isArray(item.value)) {
      item.value.forEach((child, index) => stack.push({ value: child, path: `${item.path}[${index}]`, depth: item.depth + 1 }));
      continue;
    }
    for (const [key, child] of Object.entries(item.value)) {
      const path = item.path ? `${item.path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return fail("forbidden_key", `key "${key}" is not allowed`, path);
      stack.push({ value: child, path, depth: item.depth + 1 });
    }
  }
  return { ok: true, value };
}

/** @internal */
export const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
