import type { RealtimeEnvironment } from "./environment.js";
import { RealtimeBookingsError } from "./errors.js";
import { get, retryWait } from "./http.js";
import type { ResolvedOptions } from "./options.js";
import { parseVersion } from "./parse.js";

/** What the version poller needs from the client (internal). */
export interface PollerHost {
  /** The stream is open and delivers changes (a new version is then theirs when it delivered some). */
  live(): boolean;
  /** The version changed for a reason the stream did not deliver: refresh. */
  changed(): void;
  /** A poll of the fallback finished; `failures` counts the polls that failed in a row. */
  polled(ok: boolean, failures: number): void;
  /** A request failed fatally (401, 403): stop the client. */
  stop(error: RealtimeBookingsError): void;
  /** A request failed; the client carries on. */
  report(error: RealtimeBookingsError): void;
  /** The backoff delay before retry `attempt` (0 for the first). */
  delay(attempt: number): number;
}

/** The version endpoint's client: one-off checks and the polling fallback's loop (internal). */
export interface Poller {
  /**
   * GETs the version endpoint (one request at a time: concurrent callers share it) and applies the
   * answer. Resolves `true` when it succeeded.
   */
  check(): Promise<boolean>;
  /** Starts (or restarts at once) the polling loop of the fallback. */
  poll(): void;
  /** Stops the loop and, unless `keepRequest`, abandons the request in flight (its answer is ignored). */
  stop(keepRequest?: boolean): void;
  /** The stream delivered a change since the last check. */
  touch(): void;
}

/**
 * Creates the version poller (internal). It keeps the version and its ETag between checks, asks with
 * `If-None-Match`, aborts a request after `requestTimeoutMs` (a seventh HTTP/1.1 tab's request can
 * hang for good), and in the fallback polls every `pollIntervalMs`, backing off while polls fail (or,
 * after a 429 or 503 with `Retry-After`, waiting at least that long).
 */
export function createPoller(
  env: Pick<RealtimeEnvironment, "fetch" | "setTimeout" | "clearTimeout" | "random">,
  options: ResolvedOptions,
  host: PollerHost,
): Poller {
  const { versionUrl } = options;
  const { fetch } = env;
  let known = options.initialVersion;
  let etag: string | undefined;
  let stale = false;
  let pending: Promise<boolean> | undefined;
  let abort: AbortController | undefined;
  let session = 0;
  let failures = 0;
  /** The wait the last failed request's `Retry-After` asked for. */
  let wait: number | undefined;
  let pollTimer: unknown;
  let requestTimer: unknown;

  const apply = (version: string | undefined): void => {
    const previous = known;
    const delivered = stale;
    known = version;
    stale = false;
    // A different version means a change, unless the open stream delivered changes since the last
    // check: then the difference is theirs, and they were refreshed.
    if (previous !== undefined && version !== previous && !(delivered && host.live())) host.changed();
  };

  const check = (): Promise<boolean> => {
    if (!versionUrl || !fetch) return Promise.resolve(false);
    if (pending) return pending;
    const controller = new AbortController();
    const mine = (): boolean => abort === controller;
    abort = controller;
    requestTimer = env.setTimeout(() => controller.abort(), options.requestTimeoutMs);
    const request = async (): Promise<boolean> => {
      const response = await get(fetch, versionUrl, etag ? { "If-None-Match": etag } : {}, options, controller.signal);
      const version = response.status === 304 ? known : parseVersion(await response.text());
      if (version === undefined) throw new RealtimeBookingsError("invalid_response", { status: response.status });
      if (mine()) {
        etag = response.headers.get("etag") ?? etag;
        apply(version);
      }
      return true;
    };
    return (pending = request()
      .catch((error: RealtimeBookingsError) => {
        if (mine()) {
          wait = retryWait(error, env.random);
          // Aborted while still ours: only the request timer does that (`stop()` disowns first).
          if (controller.signal.aborted) error = new RealtimeBookingsError("timeout");
          if (error.fatal) host.stop(error);
          else host.report(error);
        }
        return false;
      })
      .finally(() => {
        controller.abort();
        if (mine()) {
          env.clearTimeout(requestTimer);
          abort = pending = undefined;
        }
      }));
  };

  const poll = (): void => {
    env.clearTimeout(pollTimer);
    const mine = ++session;
    void check().then((ok) => {
      if (mine !== session) return;
      failures = ok ? 0 : failures + 1;
      pollTimer = env.setTimeout(poll, ok ? options.pollIntervalMs : Math.max(options.pollIntervalMs, wait ?? host.delay(failures - 1)));
      host.polled(ok, failures);
    });
  };

  return {
    check,
    poll,
    stop(keepRequest) {
      session++;
      failures = 0;
      env.clearTimeout(pollTimer);
      if (keepRequest) return;
      env.clearTimeout(requestTimer);
      abort?.abort();
      abort = pending = undefined;
    },
    touch() {
      stale = true;
    },
  };
}
