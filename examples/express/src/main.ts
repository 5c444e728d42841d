import { createApp } from "./app.js";

const port = Number(process.env["PORT"] ?? 3002);
const app = createApp();
const url = await app.listen(port, process.env["HOST"] ?? "127.0.0.1");
console.log(`[example-express] listening on ${url}`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
