/**
 * A new client id (internal): 18 hex digits from `crypto.getRandomValues` (which, unlike
 * `crypto.randomUUID`, also exists on plain-HTTP intranet pages), or from `random` where there is no
 * `crypto` at all.
 */
export const newClientId = (random: () => number): string => {
  const bytes = new Uint8Array(9);
  return Array.from(globalThis.crypto?.getRandomValues(bytes) ?? bytes.map(() => random() * 256), (byte) => (byte | 256).toString(16).slice(1)).join("");
};
