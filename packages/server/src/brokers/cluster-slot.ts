import { hashTagOf } from "@realtime-bookings/protocol";

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

/**
 * The Redis Cluster slot of a key or shard channel: CRC16 (XMODEM) of its hash tag (or of the whole
 * name when it has none), modulo 16384, as Redis computes it.
 *
 * @param name - a key or channel name
 * @internal
 */
export function clusterSlotOf(name: string): number {
  const bytes = Buffer.from(hashTagOf(name) ?? name, "utf8");
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ (TABLE[((crc >> 8) ^ byte) & 0xff] as number);
  return crc % 16384;
}
