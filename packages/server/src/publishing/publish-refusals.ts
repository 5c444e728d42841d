/**
 * Why the publish endpoint refused a request, as `/metrics` counts it
 * (`publishes_refused_total{reason}`): the endpoint's own reason codes, `credentials` for whatever
 * the publisher's credentials failed (a missing, expired or viewer token, a refused authorizer), and
 * `other` for a code an app's own `authorizePublish` made up.
 */
export const PUBLISH_REFUSALS = [
  "credentials",
  "publish_forbidden",
  "publish_not_configured",
  "method_not_allowed",
  "unsupported_media_type",
  "too_large",
  "body_timeout",
  "invalid_event",
  "invalid_idempotency_key",
  "idempotency_key_reused",
  "other",
] as const;

/** One of {@link PUBLISH_REFUSALS}. */
export type PublishRefusal = (typeof PUBLISH_REFUSALS)[number];

/** A zero count for every reason. @internal */
export const newPublishRefusalCounts = (): Record<PublishRefusal, number> =>
  Object.fromEntries(PUBLISH_REFUSALS.map((reason) => [reason, 0])) as Record<PublishRefusal, number>;

/** The reason an error code (the `error` of a refusal's body) counts under. @internal */
export function publishRefusalOf(code: unknown): PublishRefusal {
  if (typeof code !== "string") return "other";
  if (code.startsWith("token_") || code === "forbidden" || code === "unauthorized") return "credentials";
  return (PUBLISH_REFUSALS as readonly string[]).includes(code) ? (code as PublishRefusal) : "other";
}
