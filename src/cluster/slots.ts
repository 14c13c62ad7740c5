/**
 * Hash slots: CRC16 (XMODEM) of the key's bytes, or of its first non-empty `{tag}`, mod 16384,
 * exactly as Redis Cluster and `CLUSTER KEYSLOT` compute them.
 */
import { keyName, noteAscii, type Bytes } from '../keyspace/bytes.js';

export const SLOT_COUNT = 16384;

const TABLE = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  TABLE[i] = crc;
}

/** CRC16/XMODEM of chars `start..end` of a latin1 byte string. */
function crc16(bytes: string, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ bytes.charCodeAt(i)) & 0xff];
  return crc;
}

/** The slot of a canonical key name (latin1 byte string, see `keyName`). */
export function slotOfName(name: string): number {
  const open = name.indexOf('{');
  if (open !== -1) {
    const close = name.indexOf('}', open + 1);
    if (close > open + 1) return crc16(name, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(name, 0, name.length) & (SLOT_COUNT - 1);
}

/**
 * The slot of a key given as a string (its UTF-8 bytes) or a Buffer. For an ASCII string without
 * `{` (the common key) one pass computes the CRC while it checks the chars; anything else takes
 * the general rule.
 */
export function keySlot(key: Bytes): number {
  if (typeof key !== 'string') return slotOfName(key.toString('latin1'));
  let crc = 0;
  let brace = false;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c > 0x7f) return slotOfName(keyName(key));
    if (c === 123) brace = true;
    crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ c) & 0xff];
  }
  noteAscii(key);
  return brace ? slotOfName(key) : crc & (SLOT_COUNT - 1);
}
