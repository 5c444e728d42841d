import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const FIXTURE = fileURLToPath(new URL("../fixtures/hub-process.mjs", import.meta.url));

/** What the fixture's `/debug/stats` reports. */
export interface ProcessStats {
  stats: {
    connections: { admin: number; supervisor: number; specialist: number };
    eventsReceived: number;
    eventsRecovered: number;
    eventsDelivered: number;
    eventsDropped: number;
    messagesRejected: number;
    slowReadersDropped: number;
    replays: number;
    resyncs: number;
    connectionsRefused: number;
    brokerUp: boolean;
  };
  heapUsed: number;
  rss: number;
  handles: number;
}

/** A hub running as its own process, as in production. */
export interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** What it wrote to stderr so far. */
  readonly stderr: () => string;
  streamUrl(as: string): string;
  stats(): Promise<ProcessStats>;
  /** SIGKILL (a crash) unless `signal` says otherwise; resolves when it has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the fixture hub process with `args` (e.g. `--redis`, `--prefix`). */
export async function startHubProcess(args: string[]): Promise<HubProcess> {
  const child = spawn(process.execPath, ["--expose-gc", FIXTURE, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub process did not start: ${stderr}`)), 15_000);
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once("exit", (code) => reject(new Error(`hub process exited with ${code}: ${stderr}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    stderr: () => stderr,
    streamUrl: (as) => `${url}/events?as=${as}`,
    async stats() {
      return (await (await fetch(`${url}/debug/stats`)).json()) as ProcessStats;
    },
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
  };
}
