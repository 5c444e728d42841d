import type { HubLogger } from "../logger.js";

const detailText = (detail: unknown): string =>
  detail instanceof Error ? detail.message : typeof detail === "string" ? detail : (JSON.stringify(detail) ?? String(detail));

/** Joins a message and its details into one line: a log line never spans several. @internal */
export const oneLine = (message: string, details: readonly unknown[] = []): string =>
  [message, ...details.filter((d) => d !== undefined && d !== null).map(detailText)].join(" ").replace(/[\r\n]+/g, " ");

/** The CLI's logger: facts on stdout, warnings and errors on stderr, one line each. @internal */
export const cliLogger: HubLogger & { info(message: string): void } = {
  info: (message) => process.stdout.write(`${oneLine(message)}\n`),
  warn: (message, ...details) => process.stderr.write(`${oneLine(message, details)}\n`),
  error: (message, ...details) => process.stderr.write(`${oneLine(message, details)}\n`),
};
