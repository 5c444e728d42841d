import { spawn } from "node:child_process";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { withDeadline } from "../src/hub/guard.js";

/** Blocks the event loop, as a fan-out to thousands of connections does. */
const busy = (ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end; );
};

describe("withDeadline", () => {
  it("does not report a timeout when the answer arrived while the event loop was busy past the deadline", async () => {
    // The answering side must be another process (as Redis is): it replies while this loop is blocked.
    const echo = spawn(process.execPath, [
      "-e",
      'const s=require("net").createServer(c=>c.on("data",()=>c.write("pong"))).listen(0,"127.0.0.1",()=>console.log(s.address().port))',
    ]);
    const port = await new Promise<number>((r) => echo.stdout.once("data", (d) => r(Number(String(d).trim()))));
    const socket = connect(port, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    const answer = withDeadline(
      () =>
        new Promise<string>((resolve) => {
          socket.once("data", (d) => resolve(String(d)));
          socket.write("ping");
        }),
      50,
    );
    busy(200); // the reply lands in the socket buffer while the loop is blocked past the deadline
    await expect(answer).resolves.toBe("pong");
    socket.destroy();
    echo.kill();
  });

  it("still times out when nothing answers, with a typed error", async () => {
    await expect(withDeadline(() => new Promise(() => {}), 20)).rejects.toMatchObject({ code: "broker_timeout" });
  });

  it("wraps a failure as broker_error with the cause", async () => {
    const cause = new Error("READONLY");
    await expect(withDeadline(() => Promise.reject(cause), 1000)).rejects.toMatchObject({ code: "broker_error", cause });
  });
});
