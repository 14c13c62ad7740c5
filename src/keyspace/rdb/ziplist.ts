/**
 * Ziplists, the compact encoding before listpacks (Redis ≤ 6.2, RDB version ≤ 9): read only, so
 * that payloads dumped by older servers RESTORE. Layout: 4-byte total size, 4-byte tail offset,
 * 2-byte count, entries (previous entry length in 1 or 5 bytes, an encoding, the data), 0xFF.
 */
import type { ListpackElement } from './listpack.js';

/** Every element of a ziplist; null when its structure is off. */
export function readZiplist(zl: Buffer): ListpackElement[] | null {
  if (zl.length < 11 || zl.readUInt32LE(0) !== zl.length || zl[zl.length - 1] !== 0xff) return null;
  const declared = zl.readUInt16LE(8);
  const end = zl.length - 1;
  const out: ListpackElement[] = [];
  let p = 10;
  let previous = 0;
  while (p < end) {
    let prevlen: number;
    if (zl[p] < 254) {
      prevlen = zl[p];
      p += 1;
    } else {
      if (zl[p] !== 254 || p + 5 > end) return null;
      prevlen = zl.readUInt32LE(p + 1);
      p += 5;
    }
    if (prevlen !== previous) return null;
    const start = p - (prevlen < 254 ? 1 : 5);
    if (p >= end) return null;
    const enc = zl[p];
    let value: ListpackElement;
    if (enc >> 6 === 0) {
      const len = enc & 0x3f;
      p += 1;
      if (p + len > end) return null;
      value = Buffer.from(zl.subarray(p, p + len));
      p += len;
    } else if (enc >> 6 === 1) {
      if (p + 2 > end) return null;
      const len = ((enc & 0x3f) << 8) | zl[p + 1];
      p += 2;
      if (p + len > end) return null;
      value = Buffer.from(zl.subarray(p, p + len));
      p += len;
    } else if (enc >> 6 === 2) {
      if (p + 5 > end) return null;
      const len = zl.readUInt32BE(p + 1);
      p += 5;
      if (p + len > end) return null;
      value = Buffer.from(zl.subarray(p, p + len));
      p += len;
    } else {
      p += 1;
      let width: number;
      if (enc === 0xc0) width = 2;
      else if (enc === 0xd0) width = 4;
      else if (enc === 0xe0) width = 8;
      else if (enc === 0xf0) width = 3;
      else if (enc === 0xfe) width = 1;
      else if (enc >= 0xf1 && enc <= 0xfd) width = 0;
      else return null;
      if (p + width > end) return null;
      if (width === 0) value = BigInt((enc & 0x0f) - 1);
      else if (width === 8) value = zl.readBigInt64LE(p);
      else value = BigInt(zl.readIntLE(p, width));
      p += width;
    }
    previous = p - start;
    out.push(value);
  }
  if (p !== end) return null;
  if (declared !== 65535 && declared !== out.length) return null;
  return out;
}
