/** A listener of one event type. */
export type Listener<T> = (payload: T) => void;

/** A minimal typed event emitter (internal). */
export interface Emitter<Events extends object> {
  /** Adds a listener; returns its remover. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void;
  /** Removes a listener. */
  off<K extends keyof Events>(type: K, listener: Listener<Events[K]>): void;
  /** Calls every listener of `type`; one that throws does not stop the others (see {@link rethrow}). */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void;
  /** Removes every listener. */
  clear(): void;
}

/**
 * Reports an exception thrown by app code (a listener, `onRefresh`) the way `EventTarget` does: it
 * surfaces as an uncaught error in a later microtask (console, `window.onerror`), while the client
 * and the other listeners carry on (internal).
 */
export const rethrow = (error: unknown): void =>
  queueMicrotask(() => {
    throw error;
  });

/** Creates an {@link Emitter} (internal). */
export function createEmitter<Events extends object>(): Emitter<Events> {
  const map = new Map<keyof Events, Set<Listener<never>>>();
  const off = (type: keyof Events, listener: Listener<never>): void => {
    map.get(type)?.delete(listener);
  };
  return {
    on(type, listener) {
      map.set(type, (map.get(type) ?? new Set()).add(listener as Listener<never>));
      return () => off(type, listener as Listener<never>);
    },
    off: off as Emitter<Events>["off"],
    emit(type, payload) {
      for (const listener of [...(map.get(type) ?? [])]) {
        try {
          (listener as Listener<Events[typeof type]>)(payload);
        } catch (error) {
          rethrow(error);
        }
      }
    },
    clear: () => map.clear(),
  };
}
