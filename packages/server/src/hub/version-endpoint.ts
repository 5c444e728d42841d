import type { ViewerScope } from "@realtime-bookings/protocol";
import { type PlainResponse, errorResponse, jsonResponse } from "../http/plain-response.js";
import type { HubRequest } from "../http/request.js";

/** What the endpoint needs from the hub: the shared checks, and one counter read. @internal */
export interface VersionDeps {
  /** Open, CORS, method and viewer checks shared with the stream endpoint. */
  gate(request: HubRequest): Promise<{ viewer: ViewerScope; headers: Record<string, string> } | PlainResponse>;
  /** Reads the viewer's own counter, within the broker deadline. */
  readVersion(viewer: ViewerScope): Promise<number>;
}

/**
 * The version endpoint: `{"version": n}` of the viewer's own scope, one Redis read, no booking data,
 * `Cache-Control: private, no-store`, and an ETag tagged with the scope so a poll that finds nothing
 * new costs a 304.
 *
 * @internal
 */
export async function answerVersion(deps: VersionDeps, request: HubRequest): Promise<PlainResponse> {
  const gated = await deps.gate(request);
  if ("status" in gated) return gated;
  const { viewer, headers } = gated;
  let version: number;
  try {
    version = await deps.readVersion(viewer);
  } catch {
    return errorResponse(503, "broker_unavailable", "The version is unavailable; retry later.", { ...headers, "Retry-After": "2" });
  }
  const scopeTag = viewer.role === "admin" ? "a" : viewer.role === "supervisor" ? `w${viewer.workpoint_id}` : `s${viewer.specialist_id}`;
  const etag = `"${scopeTag}.${version}"`;
  const cache = { ...headers, ETag: etag, "Cache-Control": "private, no-store" };
  const sent = request.header("if-none-match");
  if (sent?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) return { status: 304, headers: cache, body: "" };
  return jsonResponse(200, { version }, cache);
}
