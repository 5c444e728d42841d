import type { EventScope } from "@realtime-bookings/protocol";
import { AuthenticationError, HubError } from "../errors.js";
import { type PlainResponse, errorResponse, jsonResponse } from "../http/plain-response.js";
import { readBody } from "../http/read-body.js";
import type { HubRequest } from "../http/request.js";
import { jitteredRetryAfter } from "../http/retry-after.js";
import type { AuthorizePublish, PublishGrant, ResolvedOptions } from "../options.js";
import type { Publisher } from "../publishing/publisher.js";
import type { Counters } from "../stats.js";
import { type PublishRefusal, publishRefusalOf } from "../publishing/publish-refusals.js";
import { type HubHandler, plainHandler } from "./handler.js";

/** How long a publisher may take to send its body. */
const BODY_TIMEOUT_MS = 10_000;

/** What the publish endpoint works with. @internal */
export interface PublishDeps {
  readonly options: Pick<ResolvedOptions, "authorizePublish" | "maxEventLength" | "logger">;
  readonly publisher: Publisher;
  readonly counters: Counters;
  /** Refusals by reason, for `/metrics`. */
  readonly refusedBy: Record<PublishRefusal, number>;
  /** Whether the hub is closing. */
  closed(): boolean;
}

/** Counts a refusal, in all and under its reason (the `error` code of its JSON body). */
const refused = (deps: Pick<PublishDeps, "counters" | "refusedBy">, response: PlainResponse): PlainResponse => {
  deps.counters.publishesRefused += 1;
  let code: unknown;
  try {
    code = (JSON.parse(response.body) as { error?: unknown }).error;
  } catch {
    code = undefined;
  }
  deps.refusedBy[publishRefusalOf(code)] += 1;
  return response;
};

/**
 * The publish endpoint in both handler shapes: `POST` with the booking event as a JSON body, for apps
 * that cannot or should not hold Redis credentials. Server to server: no CORS. Answers
 * `200 {"id"}`; 400 naming the field of an invalid event (the same check as every publisher); 401/403
 * from `authorizePublish`; 405, 408, 413, 415; 503 with `Retry-After` while Redis is unavailable.
 *
 * @internal
 */
export function publishEndpoint(deps: PublishDeps): HubHandler {
  return plainHandler((request) => answerPublish(deps, request), deps.options.logger, "publish");
}

async function answerPublish(deps: PublishDeps, request: HubRequest): Promise<PlainResponse> {
  const { options, counters } = deps;
  if (deps.closed()) return errorResponse(503, "shutting_down", "The hub is shutting down; retry shortly.", { "Retry-After": jitteredRetryAfter(1) });
  if (request.method !== "POST") return refused(deps, errorResponse(405, "method_not_allowed", "Use POST with the booking event as a JSON body.", { Allow: "POST" }));
  const grant = await authorize(options.authorizePublish, request, options.logger);
  if (grant !== true && "status" in grant) return refused(deps, grant);
  const key = idempotencyKeyOf(deps.publisher, request);
  if (typeof key === "object") return refused(deps, key);
  const type = (request.header("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    return refused(deps, errorResponse(415, "unsupported_media_type", "Send the event as JSON with Content-Type: application/json."));
  }
  // Characters are what the event limit counts; UTF-8 takes at most 3 bytes for each UTF-16 unit.
  const body = await readBody(request.raw, options.maxEventLength * 3, BODY_TIMEOUT_MS);
  if (!body.ok) {
    const close = { Connection: "close" };
    if (body.reason === "too_large") return refused(deps, errorResponse(413, "too_large", `The event is larger than ${options.maxEventLength} characters.`, close));
    return refused(deps, errorResponse(408, "body_timeout", "The request body did not arrive in time.", close));
  }
  const checked = deps.publisher.check(body.text);
  if (!checked.ok) {
    const { code, field, message } = checked.error;
    const status = code === "too_large" ? 413 : 400;
    return refused(deps, jsonResponse(status, { error: status === 413 ? "too_large" : "invalid_event", code, field, message }));
  }
  const outside = grant === true ? undefined : outsideGrant(grant, checked.scope);
  if (outside !== undefined) return refused(deps, errorResponse(403, "publish_forbidden", `This publisher may not publish for workpoint ${outside}.`));
  try {
    const { id, replayed } = await deps.publisher.send(checked, key);
    return jsonResponse(200, { id, replayed }, replayed ? { "Idempotent-Replayed": "true" } : {});
  } catch (error) {
    if (error instanceof HubError && error.code === "idempotency_key_reused") {
      return refused(deps, errorResponse(422, "idempotency_key_reused", "This Idempotency-Key was already used for a different event; nothing was published. Use a new key for a new event."));
    }
    if (error instanceof HubError && (error.code === "broker_timeout" || error.code === "broker_error")) {
      return errorResponse(503, "broker_unavailable", "The event could not be stored; retry later.", { "Retry-After": jitteredRetryAfter(2) });
    }
    throw error;
  }
}

/** The request's `Idempotency-Key`, checked: the key, none, or the 400 that refuses it. */
function idempotencyKeyOf(publisher: Publisher, request: HubRequest): string | undefined | PlainResponse {
  try {
    return publisher.checkKey(request.header("idempotency-key"));
  } catch (error) {
    return errorResponse(400, "invalid_idempotency_key", `Idempotency-Key: ${(error as Error).message}.`);
  }
}

async function authorize(authorizePublish: AuthorizePublish | undefined, request: HubRequest, logger: PublishDeps["options"]["logger"]): Promise<PublishGrant | PlainResponse> {
  if (!authorizePublish) {
    return errorResponse(403, "publish_not_configured", "Publishing over HTTP is off: give the hub an authorizePublish option (the standalone hub: a publisher token or --publisher-secret).");
  }
  try {
    const grant = await authorizePublish(request);
    if (grant === true || (typeof grant === "object" && grant !== null && Array.isArray(grant.workpoints))) return grant;
    return errorResponse(403, "publish_forbidden", "These credentials may not publish.");
  } catch (error) {
    if (error instanceof AuthenticationError) return errorResponse(error.status, error.reason, error.message, { ...error.headers });
    logger.error("[realtime-bookings] authorizePublish threw", error);
    return errorResponse(500, "internal_error", "Authorization failed on the server.");
  }
}

/** The first workpoint of the event (old or new) outside the grant, if any. */
function outsideGrant(grant: Exclude<PublishGrant, true>, scope: EventScope): string | undefined {
  const allowed = new Set(grant.workpoints.map(String));
  return scope.workpoints.find((w) => !allowed.has(w));
}
