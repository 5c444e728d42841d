/**
 * A new client id (internal): 18 hex digits from `crypto.getRandomValues`, which every browser the
 * bundle targets has (unlike `crypto.randomUUID`, also on plain-HTTP intranet pages), as does Node 20.
 */
export const newClientId = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(9)), (byte) => (byte | 256).toString(16).slice(1)).join("");
