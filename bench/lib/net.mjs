// Small network helpers: free ports, waiting for a listener, JSON over a keep-alive agent.
import { Agent, request } from "node:http";
import { connect, createServer } from "node:net";

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * Resolves once something accepts TCP connections on 127.0.0.1:port (polls every 50 ms).
 *
 * @param {number} port
 * @param {number} [timeoutMs]
 */
export async function waitForPort(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

/**
 * One HTTP request to 127.0.0.1 over a shared keep-alive agent; resolves with status and body.
 *
 * @param {{ port: number, path: string, method?: string, body?: string, headers?: Record<string,string>, timeoutMs?: number }} options
 * @returns {Promise<{ status: number, body: string }>}
 */
export function httpRequest({ port, path, method = "GET", body, headers = {}, timeoutMs = 120_000 }) {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, method, agent, headers: body === undefined ? headers : { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on("error", reject);
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * POSTs JSON and parses the JSON answer; throws on a non-2xx status.
 *
 * @param {number} port
 * @param {string} path
 * @param {unknown} value
 */
export async function postJson(port, path, value) {
  const { status, body } = await httpRequest({ port, path, method: "POST", body: JSON.stringify(value), timeoutMs: 60_000 });
  if (status < 200 || status > 299) throw new Error(`POST ${path} → ${status}: ${body.slice(0, 500)}`);
  return body ? JSON.parse(body) : undefined;
}

/**
 * GETs JSON; throws on a non-2xx status.
 *
 * @param {number} port
 * @param {string} path
 */
export async function getJson(port, path) {
  const { status, body } = await httpRequest({ port, path });
  if (status < 200 || status > 299) throw new Error(`GET ${path} → ${status}: ${body.slice(0, 500)}`);
  return JSON.parse(body);
}
