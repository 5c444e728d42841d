// `npm start`: runs the booking demo on the embedded defaults (in-memory broker, SQLite file).
// Until the demo exists, it runs a minimal hub so the two commands of the README always work.
import { existsSync } from "node:fs";
import { spawn } from "node:child_process";

const demo = "examples/booking-app/package.json";
if (existsSync(demo)) {
  const child = spawn("npm", ["start", "-w", "examples/booking-app"], { stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
} else {
  const { createServer } = await import("node:http");
  const { createBookingHub } = await import("@realtime-bookings/server");
  const port = Number(process.env.PORT ?? 3000);
  // Minimal hub: every local request is an admin. Demo only; real apps authenticate.
  const hub = createBookingHub({ authenticate: () => ({ role: "admin" }) });
  createServer((req, res) => {
    if (req.url?.startsWith("/events")) return void hub.events.node(req, res);
    if (req.url?.startsWith("/version")) return void hub.version.node(req, res);
    res.writeHead(404).end("GET /events or /version");
  }).listen(port, "127.0.0.1", () => console.log(`realtime-bookings minimal hub on http://127.0.0.1:${port}/events (in-memory broker)`));
  setInterval(() => void hub.publish({ type: "test", data: { test: true, at: new Date().toISOString() } }), 5000).unref();
}
