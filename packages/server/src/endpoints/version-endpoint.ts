import type { ViewerScope } from "@realtime-bookings/protocol";
import type { Admission } from "../admission/admission.js";
import { type PlainResponse, errorResponse, jsonResponse } from "../http/plain-response.js";
import type { HubRequest } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import type { HubLogger } from "../logger.js";
import { type HubHandler, plainHandler } from "./handler.js";

/** Reads a viewer's own version counter, within the broker deadline. @internal */
export type ReadVersion = (viewer: ViewerScope) => Promise<number>;

/**
 * The version endpoint in both handler shapes.
 *
 * @internal
 */
export function versionEndpoint(admission: Admission, readVersion: ReadVersion, logger: HubLogger): HubHandler {
  return plainHandler((request) => answerVersion(admission, readVersion, request), logger, "version");
}

/**
 * The version endpoint: `{"version": n}` of the viewer's own scope, one Redis read, no booking data,
 * `Cache-Control: private, no-store`, and an ETag tagged with the scope so a poll that finds nothing
 * new costs a 304.
 */
async function answerVersion(admission: Admission, readVersion: ReadVersion, request: HubRequest): Promise<PlainResponse> {
  const gated = await admission.gate(request);
  if ("status" in gated) return gated;
  const { viewer, headers } = gated;
  let version: number;
  try {
    version = await readVersion(viewer);
  } catch {
    return errorResponse(503, "broker_unavailable", "The version is unavailable; retry later.", { ...headers, "Retry-After": jitteredRetryAfter(2) });
  }
  const scopeTag = viewer.role === "admin" ? "a" : viewer.role === "supervisor" ? `w${viewer.workpoint_id}` : `s${viewer.specialist_id}`;
  const etag = `"${scopeTag}.${version}"`;
  const cache = { ...headers, ETag: etag, "Cache-Control": "private, no-store" };
  const sent = request.header("if-none-match");
  if (sent?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) return { status: 304, headers: cache, body: "" };
  return jsonResponse(200, { version }, cache);
}
