import type { BookingHub, HubLogger } from "@realtime-bookings/server";
import type { Database } from "better-sqlite3";
import type { IncomingMessage } from "node:http";
import type { Session, SessionStore } from "./auth/session.js";
import type { UserDirectory } from "./auth/users.js";
import type { AppConfig } from "./config.js";
import type { BookingStore } from "./db/bookings.js";
import type { StreamTracker } from "./realtime/streams.js";

/** Switches the demo's test hooks flip (`DEMO_TEST_HOOKS=1` only). */
export interface DemoSwitches {
  /** Answer the SSE endpoint with 503 while the version endpoint keeps answering. */
  refuseStreams: boolean;
}

/** What the routes share. */
export interface Deps {
  readonly config: AppConfig;
  readonly db: Database;
  readonly store: BookingStore;
  readonly users: UserDirectory;
  readonly sessions: SessionStore;
  readonly hub: BookingHub;
  readonly streams: StreamTracker;
  readonly switches: DemoSwitches;
  readonly publishToken: string;
  readonly logger: HubLogger & { info(message: string): void };
  /** The session of a request's cookie, if it is signed in. */
  sessionOf(req: IncomingMessage): Session | undefined;
}
