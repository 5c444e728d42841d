import { createBookingApp } from "./app.js";
import { configFromEnv } from "./config.js";

/** `npm start`: the booking demo on PORT (3000), SQLite + in-memory broker, or Redis with REDIS_URL. */
async function main(): Promise<void> {
  const config = configFromEnv();
  const app = await createBookingApp(config);
  if (app.seeded) {
    const s = app.seeded;
    console.log(`[booking-app] created ${config.databasePath}: ${s.workpoints} workpoints, ${s.specialists} specialists, ${s.bookings} bookings from ${s.from} to ${s.to}`);
  }
  let url: string;
  try {
    url = await app.listen();
  } catch (error) {
    await app.close();
    throw (error as NodeJS.ErrnoException).code === "EADDRINUSE" ? new Error(`port ${config.port} is taken: start with PORT=<another port>`, { cause: error }) : error;
  }
  const shown = config.host === "127.0.0.1" ? url.replace("127.0.0.1", "localhost") : url;
  console.log(`[booking-app] listening on ${shown} (broker: ${app.brokerDescription}, database: ${config.databasePath})`);
  if (config.testHooks) console.log("[booking-app] DEMO_TEST_HOOKS is on: POST /__demo/streams can refuse SSE. Never in production.");

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`[booking-app] ${signal}: closing streams and the database`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("[booking-app] close failed", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`[booking-app] cannot start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
