// The options of `npm run bench`, parsed strictly: an unknown option, a misspelt system or scenario,
// or a value that is not a number is refused with a clear message before anything starts (a typo must
// not start a 50-minute full run that rewrites the committed results).
import { parseArgs } from "node:util";
import { OPT_IN_SCENARIOS, SCENARIOS } from "../scenarios/index.mjs";
import { SYSTEMS } from "../systems/index.mjs";

/** What `npm run bench -- --help` prints. */
export const USAGE = `Usage: npm run bench -- [options]

With no options: the full run (N = 500, 2,000, 10,000, 20,000; every system and scenario, ~50 min),
written to bench/results/latest.json and docs/benchmarks.md.

  --quick               every system and scenario at N = 20 (< 60 s), into results/quick.json
  --n 500,2000          the stream counts to run
  --systems a,j,g       the systems, by key or name (see below)
  --scenarios idle,broadcast
                        the scenarios: ${[...SCENARIOS, ...OPT_IN_SCENARIOS].join(", ")} (publish only when named)
  --workers 2           load-generator processes (default 2)
  --idle-ms 5000        the idle window, in ms
  --wait-quiet 30       before each (system, N) round, wait up to this many seconds for a quiet machine
  --rounds 3            each (system, N) this many times, interleaved; a partial run with rounds goes to
                        results/rounds.json and rewrites docs/benchmarks.md with the latest full run
  --out file.json       where the results go (default results/partial.json for a partial run)
  --doc                 rewrite docs/benchmarks.md from this run
  -h, --help            this text

Systems: ${SYSTEMS.map((s) => `${s.key} ${s.name}`).join(", ")}
Environment: BENCH_VARIANT=<copy of packages/server/dist> adds (x); BENCH_SERVER_NODE_ARGS adds flags to
the Node servers under test; BENCH_VERBOSE=1 shows the servers' output.`;

/** A refused command line: the message says what was wrong; the CLI prints it with a pointer to --help. */
export class UsageError extends Error {}

/**
 * @param {string | undefined} text
 * @param {string} option
 * @param {{ min: number, integer?: boolean }} rule
 */
function numberOf(text, option, { min, integer = true }) {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new UsageError(`--${option} must be a ${integer ? "whole number" : "number"} ≥ ${min}, got ${text}`);
  }
  return value;
}

/**
 * @param {string | undefined} text
 * @param {string} option
 * @param {readonly string[]} known
 */
function listOf(text, option, known) {
  if (text === undefined) return undefined;
  const items = text.split(",").map((s) => s.trim());
  const unknown = items.filter((s) => !known.includes(s));
  if (unknown.length > 0) {
    throw new UsageError(`--${option}: unknown ${unknown.map((s) => JSON.stringify(s)).join(", ")}; known: ${known.join(", ")}`);
  }
  return items;
}

/**
 * Parses `npm run bench`'s arguments.
 *
 * @param {string[]} argv
 * @returns {{ help: boolean, quick: boolean, doc: boolean, counts?: number[], systems?: string[], scenarios?: string[], workers?: number,
 *   idleMs?: number, waitQuietS?: number, rounds?: number, out?: string }}
 * @throws {UsageError}
 */
export function benchArgs(argv) {
  /** @type {ReturnType<typeof parseArgs>["values"]} */
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: "boolean", short: "h" },
        quick: { type: "boolean" },
        doc: { type: "boolean" },
        n: { type: "string" },
        systems: { type: "string" },
        scenarios: { type: "string" },
        workers: { type: "string" },
        "idle-ms": { type: "string" },
        "wait-quiet": { type: "string" },
        rounds: { type: "string" },
        out: { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError(/** @type {Error} */ (error).message);
  }
  const str = (/** @type {string} */ key) => /** @type {string | undefined} */ (values[key]);
  const counts = str("n")?.split(",").map((s) => /** @type {number} */ (numberOf(s, "n", { min: 1 })));
  return {
    help: values["help"] === true,
    quick: values["quick"] === true,
    doc: values["doc"] === true,
    counts,
    systems: listOf(str("systems"), "systems", SYSTEMS.flatMap((s) => [s.key, s.name])),
    scenarios: listOf(str("scenarios"), "scenarios", [...SCENARIOS, ...OPT_IN_SCENARIOS]),
    workers: numberOf(str("workers"), "workers", { min: 1 }),
    idleMs: numberOf(str("idle-ms"), "idle-ms", { min: 1 }),
    waitQuietS: numberOf(str("wait-quiet"), "wait-quiet", { min: 0, integer: false }),
    rounds: numberOf(str("rounds"), "rounds", { min: 1 }),
    out: str("out"),
  };
}
