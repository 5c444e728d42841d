import { safeParseBookingMessage } from "@realtime-bookings/protocol";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasPhpToolchain } from "./support.js";

/**
 * The PHP publisher refuses exactly what the hub refuses (issue 11, item 6): the same events go
 * through the package's EventValidator and through the hub's own parser (the protocol's
 * safeParseBookingMessage), and the verdicts, codes, fields and scopes must agree. The one intended
 * difference: PHP also refuses an integer beyond ±(2^53 - 1) anywhere, which JavaScript would round.
 */
const SCRIPT = fileURLToPath(new URL("./validate-vectors.php", import.meta.url));
const available = hasPhpToolchain();

interface Vector {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly previous?: Record<string, unknown>;
}
type PhpVerdict =
  | { ok: true; json: string; specialists: string[]; workpoints: string[] }
  | { ok: false; code: string; field: string | null; unsafeInteger: boolean };

function phpVerdicts(vectors: readonly Vector[]): PhpVerdict[] {
  const run = spawnSync("php", [SCRIPT], { input: JSON.stringify(vectors), encoding: "utf8", timeout: 60_000, maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`php exited ${run.status}: ${run.stderr}${run.stdout}`);
  return JSON.parse(run.stdout) as PhpVerdict[];
}

/**
 * The hub's verdict on the text PHP publishes, or, when PHP refused, on the same event as JavaScript
 * writes it (with the PHP API's one documented convenience: null entries of `previous` are left out).
 */
function hubVerdict(vector: Vector, php: PhpVerdict) {
  const previous = Object.fromEntries(Object.entries(vector.previous ?? {}).filter(([, value]) => value !== null));
  const text = php.ok ? php.json : JSON.stringify(Object.keys(previous).length > 0 ? { type: vector.type, data: vector.data, previous } : { type: vector.type, data: vector.data });
  const parsed = safeParseBookingMessage(text);
  return parsed.ok
    ? { ok: true as const, specialists: [...parsed.value.scope.specialists], workpoints: [...parsed.value.scope.workpoints] }
    : { ok: false as const, code: parsed.error.code, field: parsed.error.field ?? null };
}

function compare(vectors: readonly Vector[]): void {
  const verdicts = phpVerdicts(vectors);
  vectors.forEach((vector, index) => {
    const php = verdicts[index];
    if (php === undefined) throw new Error(`no PHP verdict for vector ${index}`);
    const hub = hubVerdict(vector, php);
    const label = `vector ${index}: ${JSON.stringify(vector).slice(0, 300)}`;
    if (!php.ok && php.unsafeInteger) return; // PHP is stricter here on purpose; the hub would round the number
    if (php.ok) expect(hub, label).toEqual({ ok: true, specialists: php.specialists, workpoints: php.workpoints });
    else expect(hub, label).toEqual({ ok: false, code: php.code, field: php.field });
  });
}

const row = (extra: Record<string, unknown> = {}) => ({ id: 42, specialist_id: 3, workpoint_id: 1, ...extra });
const nested = (levels: number): unknown => (levels === 0 ? 1 : { x: nested(levels - 1) });

const VECTORS: Vector[] = [
  { type: "create", data: row() },
  { type: "update", data: row({ specialist_id: "5" }), previous: { specialist_id: 5, workpoint_id: "wp-2" } },
  { type: "delete", data: row({ id: "0" }) },
  { type: "test", data: { test: true } },
  { type: "test", data: { specialist_id: 7 } },
  { type: "test", data: { specialist_id: null } },
  { type: "test", data: { workpoint_id: "a:b" } },
  { type: "create", data: { specialist_id: 3, workpoint_id: 1 } },
  { type: "create", data: row({ workpoint_id: -1 }) },
  { type: "create", data: row({ workpoint_id: 1.5 }) },
  { type: "create", data: row({ workpoint_id: 2.0 }) },
  { type: "create", data: row({ specialist_id: "x".repeat(64) }) },
  { type: "create", data: row({ specialist_id: "x".repeat(65) }) },
  { type: "create", data: row({ specialist_id: "" }) },
  { type: "create", data: row({ specialist_id: "3 " }) },
  { type: "create", data: row({ specialist_id: "3*" }) },
  { type: "create", data: row({ specialist_id: true }) },
  { type: "create", data: row({ specialist_id: [3] }) },
  { type: "create", data: row({ id: 9007199254740991 }) },
  { type: "update", data: row(), previous: { specialist_id: "1:2" } },
  { type: "update", data: row(), previous: { other: 1 } },
  { type: "test", data: { specialist_id: 1 }, previous: { specialist_id: 2 } },
  { type: "created", data: row() },
  { type: "Create", data: row() },
  { type: "create", data: row({ __proto__x: 1, meta: { constructor: 1 } }) },
  { type: "create", data: JSON.parse('{"id":1,"specialist_id":1,"workpoint_id":1,"__proto__":{"admin":true}}') as Record<string, unknown> },
  { type: "create", data: row({ list: [{ prototype: 1 }] }) },
  { type: "create", data: row({ deep: nested(13) }) },
  { type: "create", data: row({ deep: nested(14) }) },
  { type: "create", data: row({ deep: nested(15) }) },
  { type: "create", data: row({ notes: "a".repeat(65_400) }) },
  { type: "create", data: row({ notes: "a".repeat(65_600) }) },
  { type: "create", data: row({ notes: "é".repeat(65_470) }) },
  { type: "create", data: row({ notes: "😀".repeat(32_740) }) },
  { type: "create", data: row({ notes: "😀".repeat(32_760) }) },
  { type: "create", data: row({ notes: "</script>\u2028\"\\" }) },
];

describe.skipIf(!available)("php/: the publisher refuses exactly what the hub refuses", () => {
  it("agrees with the hub's parser on every listed case: verdict, code, field and scope", () => {
    compare(VECTORS);
    // The listed cases do reach both sides of every rule.
    const verdicts = phpVerdicts(VECTORS);
    expect(new Set(verdicts.map((v) => (v.ok ? "ok" : v.code)))).toEqual(new Set(["ok", "missing_field", "invalid_field", "forbidden_key", "too_deep", "too_large"]));
  });

  it("agrees with the hub's parser on 300 generated events", () => {
    const id = fc.oneof(fc.integer({ min: -5, max: 2 ** 53 + 5 }), fc.constantFrom("1", "wp-2", "a:b", "", "x".repeat(65), "3*"), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("__proto__", "constructor", "prototype", "id", "specialist_id", "workpoint_id"));
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: "small", maxDepth: 18 }, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 20 }), fc.boolean(), fc.constant(null), fc.array(tie("v"), { maxLength: 3 }), fc.dictionary(key, tie("v"), { maxKeys: 3 })),
    })).v;
    const vector: fc.Arbitrary<Vector> = fc.record(
      {
        type: fc.constantFrom("create", "update", "delete", "test"),
        data: fc.record({ id, specialist_id: id, workpoint_id: id, extra: value }, { requiredKeys: [] }),
        previous: fc.record({ specialist_id: id, workpoint_id: id, other: value }, { requiredKeys: [] }),
      },
      { requiredKeys: ["type", "data"] },
    );
    const vectors = fc.sample(vector, { numRuns: 300, seed: 17 });
    compare(vectors);
  });
});
