// Number formatting and table building for the markdown report.

/** @param {unknown} x @param {number} [digits] */
export function num(x, digits = 1) {
  if (typeof x !== "number" || !Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString("en-US");
  return x.toFixed(digits).replace(/\.0+$/, "");
}

/** Ratio a ÷ b as `0.8×`; `–` when either is missing. @param {unknown} a @param {unknown} b */
export function ratio(a, b) {
  if (typeof a !== "number" || typeof b !== "number" || !Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return "–";
  return `${(a / b).toFixed(2)}×`;
}

/**
 * A markdown table.
 *
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function table(header, rows) {
  const line = (/** @type {string[]} */ cells) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
