/**
 * A new client id (internal): 18 random hex digits from `crypto.getRandomValues` (which, unlike
 * `crypto.randomUUID`, also exists on plain-HTTP intranet pages), or from `random` where there is no
 * `crypto` at all.
 */
export const newClientId = (random: () => number): string =>
  Array.from(globalThis.crypto?.getRandomValues?.(new Uint8Array(9)) ?? [0, 0, 0, 0, 0, 0, 0, 0, 0].map(() => random() * 256), (byte) =>
    ((byte & 255) | 256).toString(16).slice(1),
  ).join("");
