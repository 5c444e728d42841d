import { HubError } from "../errors.js";

/**
 * Runs a broker call with a deadline: a Redis outage must fail a request in bounded time, never hang
 * it on a client's offline queue. Errors come out as {@link HubError}.
 *
 * @internal
 */
export function withDeadline<T>(call: () => Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Timers run before I/O in each turn of the event loop: after a long fan-out the answer may
    // already wait in the socket. Let that I/O be read (setImmediate runs after it) before declaring
    // a timeout, so a busy hub does not report a publish that succeeded as failed.
    const timer = setTimeout(
      () => setImmediate(() => reject(new HubError("broker_timeout", `the broker did not answer within ${ms} ms`))),
      ms,
    );
    let pending: Promise<T>;
    try {
      pending = call();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof HubError ? error : new HubError("broker_error", `the broker failed: ${String((error as Error)?.message ?? error)}`, { cause: error }));
      },
    );
  });
}
