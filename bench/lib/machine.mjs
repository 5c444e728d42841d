// Describes the machine a run happened on: cores, memory, kernel and the versions of every server.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { redisVersion } from "./redis.mjs";

function version(command, args, pattern) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) return null;
  const out = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  return out.match(pattern)?.[1] ?? (out.trim().split("\n")[0] || null);
}

function packageVersion(name) {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return JSON.parse(readFileSync(url, "utf8")).version;
  } catch {
    return null;
  }
}

/**
 * The machine line of a run: what a reader needs to compare it with another.
 *
 * @param {{ fdLimit: number }} limits
 */
export function describeMachine({ fdLimit }) {
  const portRange = (() => {
    try {
      return readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    } catch {
      return null;
    }
  })();
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    redis: redisVersion(),
    nginx: version("nginx", ["-v"], /nginx\/([\d.]+)/),
    php: version("php", ["-v"], /PHP ([\d.]+)/),
    phpFpm: version("sh", ["-c", "ls /usr/sbin/php-fpm* | head -1"], /(php-fpm[\d.]*)/),
    nchan: version("dpkg-query", ["-W", "-f=${Version}", "libnginx-mod-nchan"], /^([^\s]+)$/),
    packages: {
      "socket.io": packageVersion("socket.io"),
      "@socket.io/redis-adapter": packageVersion("@socket.io/redis-adapter"),
      "better-sse": packageVersion("better-sse"),
      ioredis: packageVersion("ioredis"),
    },
    fdLimit,
    ephemeralPorts: portRange,
  };
}
