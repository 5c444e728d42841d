import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, with a trailing slash. */
export const root = fileURLToPath(new URL("../../../", import.meta.url));

/** The packages that are published to npm. */
export const PUBLISHED = ["protocol", "server", "client"] as const;

/** Runs `node <args>` in `cwd`; returns the exit status and stdout+stderr without colour codes. */
export function runNode(args: readonly string[], cwd: string, timeout = 110_000): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", timeout, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, "") };
}
