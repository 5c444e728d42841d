/** A JSON answer of the demo's API. */
export interface ApiResult<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T & { error?: string; message?: string; fields?: Record<string, string> };
}

/** Goes to the sign-in page when the session has ended. */
export function signedOut(): void {
  location.assign("/login");
}

/** GETs JSON. */
export async function getJson<T>(url: string): Promise<ApiResult<T>> {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (response.status === 401) signedOut();
  return { status: response.status, body: (await response.json().catch(() => ({}))) as ApiResult<T>["body"] };
}

let realtimeClient: string | undefined;

/**
 * Names this tab's real-time client (`realtime.clientId`): every write then carries it as
 * `X-Realtime-Client`, the server publishes the change with it as `origin`, and this tab does not
 * refresh for its own change (it already shows it); other tabs and browsers do.
 */
export function setRealtimeClient(id: string): void {
  realtimeClient = id;
}

/** POSTs JSON with the session's CSRF token (and this tab's real-time client id). */
export async function postJson<T>(url: string, body: unknown, csrfToken: string): Promise<ApiResult<T>> {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRF-Token": csrfToken,
      ...(realtimeClient === undefined ? {} : { "X-Realtime-Client": realtimeClient }),
    },
    body: JSON.stringify(body),
  });
  if (response.status === 401) signedOut();
  return { status: response.status, body: (await response.json().catch(() => ({ message: `The server answered ${response.status}.` }))) as ApiResult<T>["body"] };
}
