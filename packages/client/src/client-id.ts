let tabId: string | undefined;

/**
 * This page's client id (internal): 18 random hex digits, made once per page load and shared by every
 * client on the page, so an app can send it with its own writes (`X-Realtime-Client`) and the
 * client can tell its own events (`origin`) from everyone else's.
 */
export const clientId = (random: () => number): string =>
  (tabId ??= Array.from(globalThis.crypto?.getRandomValues?.(new Uint8Array(9)) ?? [0, 0, 0, 0, 0, 0, 0, 0, 0].map(() => random() * 256), (byte) =>
    ((byte & 255) | 256).toString(16).slice(1),
  ).join(""));
