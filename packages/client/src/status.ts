import type { RealtimeBookingsError } from "./errors.js";

/**
 * What the user should be told about real-time updates:
 * - `connecting`: opening the stream (at start, after `enable()`, or when the network or the tab
 *   comes back), with no failure yet;
 * - `live`: the SSE stream is open: changes arrive as they happen;
 * - `polling`: SSE failed; the version endpoint is being polled (and SSE retried in the background);
 * - `reconnecting`: an attempt failed or the stream was lost, and it is being reopened with backoff
 *   (or, in the fallback, polls fail too);
 * - `offline`: the browser reports no network; the client waits for `online`;
 * - `paused`: the tab is hidden and `pauseWhenHidden` is on;
 * - `error`: stopped for good (401, 403, 204, no transport); see the status event's `error`;
 * - `disabled`: turned off by `disable()` (or by the user through the status button), or closed.
 *
 * @example
 * ```ts
 * const realTime: RealtimeStatus[] = ["live", "polling"];
 * banner.hidden = realTime.includes(realtime.status);
 * ```
 */
export type RealtimeStatus = "connecting" | "live" | "polling" | "reconnecting" | "offline" | "paused" | "error" | "disabled";

/**
 * The colour of a status, as the original system showed it: 🟢 `green` for live or polling,
 * 🟡 `yellow` for connecting or reconnecting, 🔴 `red` for offline or error, and `grey` when the
 * user turned real-time off or the tab is paused.
 *
 * @example
 * ```ts
 * element.style.color = { green: "#1a7f37", yellow: "#9a6700", red: "#cf222e", grey: "#6e7781" }[statusColor(realtime.status)];
 * ```
 */
export type StatusColor = "green" | "yellow" | "red" | "grey";

/**
 * The phase of the SSE connection inside the client: not connecting, opening, open, or waiting for
 * the backoff delay before the next attempt.
 *
 * @example
 * ```ts
 * const phase: StreamPhase = "waiting";
 * ```
 */
export type StreamPhase = "idle" | "connecting" | "open" | "waiting";

/**
 * How the client gets its changes: from the stream alone, or from the polling fallback while the
 * stream is retried in the background. One union, so that impossible states cannot be written: the
 * fallback never has an open stream (opening it ends the fallback), and only the fallback has a
 * last poll.
 *
 * @example
 * ```ts
 * const link: LinkState = { fallback: true, stream: "waiting", pollOk: true }; // polling
 * ```
 */
export type LinkState =
  | {
      /** Changes come from the stream. */
      readonly fallback: false;
      /** Where the SSE connection is. */
      readonly stream: StreamPhase;
    }
  | {
      /** Changes come from polling the version endpoint. */
      readonly fallback: true;
      /** Where the background SSE retry is (`idle` when there is no SSE transport at all). */
      readonly stream: Exclude<StreamPhase, "open">;
      /** The last poll succeeded (`false` until the first one did). */
      readonly pollOk: boolean;
    };

/**
 * The internal facts {@link deriveStatus} reduces to a {@link RealtimeStatus}.
 *
 * @example
 * ```ts
 * const snapshot: StatusSnapshot = { enabled: true, fatal: undefined, online: true, paused: false,
 *   link: { fallback: true, stream: "connecting", pollOk: true }, failures: 3 };
 * deriveStatus(snapshot); // "polling"
 * ```
 */
export interface StatusSnapshot {
  /** `enable()` was called last (or the client started enabled), and it is not closed. */
  readonly enabled: boolean;
  /** The error that stopped the client, if it stopped. */
  readonly fatal: RealtimeBookingsError | undefined;
  /** The browser reports a network. */
  readonly online: boolean;
  /** Paused because the tab is hidden. */
  readonly paused: boolean;
  /** The stream, and the fallback when it is on. */
  readonly link: LinkState;
  /** Connection attempts (and, in the fallback, polls) that failed in a row. */
  readonly failures: number;
}

/**
 * The one place that decides the public status. Pure: the same snapshot always gives the same status,
 * so every transition can be tested without a connection. Precedence, highest first: disabled, error,
 * offline, paused, live, polling (the fallback's last poll succeeded), then reconnecting when an
 * attempt or a poll has failed, else connecting.
 *
 * @param s - the client's internal facts
 * @returns the status to show
 * @example
 * ```ts
 * deriveStatus({ enabled: true, fatal: undefined, online: true, paused: false,
 *   link: { fallback: false, stream: "waiting" }, failures: 1 }); // "reconnecting"
 * ```
 */
export function deriveStatus(s: StatusSnapshot): RealtimeStatus {
  const { link } = s;
  if (!s.enabled) return "disabled";
  if (s.fatal) return "error";
  if (!s.online) return "offline";
  if (s.paused) return "paused";
  if (link.stream === "open") return "live";
  if (link.fallback && link.pollOk) return "polling";
  return s.failures ? "reconnecting" : "connecting";
}

/**
 * The colour of a status (see {@link StatusColor}).
 *
 * @param status - a status
 * @example
 * ```ts
 * statusColor("polling"); // "green"
 * statusColor("reconnecting"); // "yellow"
 * ```
 */
export function statusColor(status: RealtimeStatus): StatusColor {
  return COLORS[status];
}

const COLORS: Readonly<Record<RealtimeStatus, StatusColor>> = {
  live: "green",
  polling: "green",
  connecting: "yellow",
  reconnecting: "yellow",
  offline: "red",
  error: "red",
  paused: "grey",
  disabled: "grey",
};
