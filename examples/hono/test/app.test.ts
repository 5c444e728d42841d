import { describeExampleApp } from "@realtime-bookings/test-utils";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";

describeExampleApp("the Hono example", createApp, fileURLToPath(new URL("../dist/main.js", import.meta.url)));

describe("the Web-standard handlers without a server", () => {
  it("answer app.request() like any fetch handler", async () => {
    const local = createApp();
    try {
      const refused = await local.app.request("/version");
      expect([refused.status, await refused.json()]).toEqual([401, { error: "unauthenticated", message: "Sign in to receive booking updates." }]);
      const login = await local.app.request("/login", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "as=supervisor:1" });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const version = await local.app.request("/version", { headers: { Cookie: cookie } });
      expect([version.status, await version.json(), version.headers.get("etag")]).toEqual([200, { version: 0 }, '"w1.0"']);
    } finally {
      await local.close();
    }
  });
});
