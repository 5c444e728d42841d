import { describeExampleApp } from "@realtime-bookings/test-utils";
import { fileURLToPath } from "node:url";
import { createApp } from "../src/app.js";

describeExampleApp("the Express example", createApp, fileURLToPath(new URL("../dist/main.js", import.meta.url)));
