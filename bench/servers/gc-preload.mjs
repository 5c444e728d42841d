// Preloaded (`node --expose-gc --import`) into the standalone hub CLI and its workers, bench only:
// on SIGUSR2 a process collects its garbage and prints its memory, so the bench measures the CLI
// after a GC, as it does the Node servers it runs itself (their /__bench/gc).
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`BENCHGC ${JSON.stringify({ pid: process.pid, heapUsed, rss })}\n`);
});
