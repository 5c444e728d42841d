// The primary's rules for a worker's exit (serve --workers): pure, so every branch is checked here;
// workers.test.ts checks them with real processes.
import { describe, expect, it } from "vitest";
import { type WorkerExit, decideExit } from "../../src/cli/workers/restarts.js";

const crash: WorkerExit = { code: null, signal: "SIGKILL", stopping: false, replaced: false, serving: true, livedMs: 1_000, fastCrashes: 0 };

describe("serve --workers: what a worker's exit calls for", () => {
  it("a crash loop waits twice as long each time, then is given up on at the fifth fast crash", () => {
    const decisions = [];
    let fastCrashes = 0;
    for (let i = 0; i < 5; i++) {
      const decision = decideExit({ ...crash, fastCrashes });
      decisions.push(decision);
      if (decision.kind === "restart") fastCrashes = decision.crashes;
    }
    expect(decisions).toEqual([
      { kind: "restart", crashes: 1, delayMs: 100 },
      { kind: "restart", crashes: 2, delayMs: 200 },
      { kind: "restart", crashes: 3, delayMs: 400 },
      { kind: "restart", crashes: 4, delayMs: 800 },
      { kind: "give-up", crashes: 5 },
    ]);
  });

  it("a worker that ran long before crashing starts the count again", () => {
    expect(decideExit({ ...crash, livedMs: 60_000, fastCrashes: 4 })).toEqual({ kind: "restart", crashes: 1, delayMs: 100 });
  });

  it("a worker that drained on its own is replaced; during a shutdown nothing is; before the server served, it stops with the worker's status", () => {
    expect([
      decideExit({ ...crash, code: 0, signal: null }),
      decideExit({ ...crash, replaced: true }),
      decideExit({ ...crash, stopping: true }),
      decideExit({ ...crash, serving: false, code: 2, signal: null }),
      decideExit({ ...crash, serving: false }),
    ]).toEqual([{ kind: "replace" }, { kind: "replaced" }, { kind: "shutting-down" }, { kind: "stop", code: 2 }, { kind: "stop", code: 1 }]);
  });
});
